"""The pure core: signing, the OKX client, diagnosis rules and models. No terminal I/O here."""
