"""Text normalisation, below both the store and retrieval: the forms the indexes store and questions ask.

`forms`: folded words and French stems (`stored_words`, `query_forms`, `coverage`); `context`: what a
memory is also found by (a title, a correction's WRONG words); `marks`: each scope's mark on its
indexed words and the MATCH expression of a question.
"""
