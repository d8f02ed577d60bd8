/**
 * The wire contract between edge agents and the control server: topic names, one record per
 * message, the JSON codec and its validation. Nothing here is {@code null} unless its javadoc says
 * "nullable".
 */
package dev.winnow.protocol;
