"""Pinned JSON-LD contexts and 1EdTech JSON Schemas (see SOURCES.md); ``html/``: the Jinja2
templates of the bundle page, the e-mail bodies and the HTML report (rendered by ``badgekit._html``)."""
