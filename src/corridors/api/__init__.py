"""The REST API: the observatory's numbers over HTTP, each response naming its sources.

``create_app()`` in ``corridors.api.main`` builds the ASGI app (API under ``/api/v1`` and the web
dashboard); ``corridors serve`` runs it with uvicorn.
"""
