"""cppa_pinecone_sync: a collector app (scaffolded by startcollector)."""
