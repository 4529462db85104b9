"""Records: the JSON-ready answers the REST API and the web pages both serve.

Each builder turns analytics results into one plain dict (figures plus their sources), memoised
per store file. The API routes (``corridors.api.routes``) and the dashboard pages
(``corridors.web``) call the same builders, so a page and its API twin cannot disagree; neither
interface imports the other. Builders read the served store through the shared request plumbing
(:mod:`corridors.api.deps`: the read-only store, its per-file look-ups and the checked inputs).
"""
