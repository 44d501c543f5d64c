"""Photos: ingest, storage, evidence checks, watermark."""
