"""cppa_pinecone_sync: the search index of every registered document source (README.md)."""
