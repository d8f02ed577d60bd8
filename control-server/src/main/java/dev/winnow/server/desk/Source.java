package dev.winnow.server.desk;

/**
 * Something an answer cites: a document passage, a lot certificate, an order record or a product
 * spec. {@code text} is what the number guard checks figures against.
 *
 * @param key   stable key, e.g. {@code doc:returns-policy.md#3}, {@code lot:L-1}, {@code order:SO-1}
 * @param kind  passage, lot, order, spec, none
 * @param title for people, e.g. "Returns policy › 2. Time limits"
 * @param text  the full text the statement relies on
 * @param link  where a person can open it (a relative URL), nullable
 */
public record Source(String key, String kind, String title, String text, String link) {
}
