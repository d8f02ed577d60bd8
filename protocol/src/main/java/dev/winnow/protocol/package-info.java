/**
 * The wire contract between edge agents and the control server: topic names, one record per
 * message, the JSON codec and its validation. Nothing here is {@code null} unless its javadoc says
 * "nullable".
 *
 * <p>Rejections travel one per message ({@link dev.winnow.protocol.Kind#REJECT}, {@code events/reject}) or
 * in batches ({@link dev.winnow.protocol.Kind#REJECT_BATCH}, {@code events/rejects}, {@link
 * dev.winnow.protocol.RejectBatch}, packed by {@link dev.winnow.protocol.RejectPacker}); see
 * {@code docs/wire-protocol.md}.
 */
package dev.winnow.protocol;
