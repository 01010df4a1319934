"""Client of the PrimeData Profile API, free of Django."""
