"""Text primitives shared by every layer: tokens, sentences, stopwords, language."""
