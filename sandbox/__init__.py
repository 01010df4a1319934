"""A stand-in for the PrimeData Profile API with Vietnamese demo data and fault injection.

``create_app()`` returns a WSGI application; ``python -m sandbox`` serves it
under gunicorn. Nothing here imports Django.
"""

from sandbox.app import DEMO_API_KEY, create_app

__all__ = ["DEMO_API_KEY", "create_app"]
