"""Pages and e-mail bodies from the Jinja2 templates in ``badgekit/data/html/``.

One environment, built on first use (Jinja2 is imported only by the commands that write HTML, not
by ``badgekit verify``). ``.html`` and ``.svg`` templates are autoescaped: every ``{{ value }}`` is
HTML-escaped unless it is :class:`markupsafe.Markup` (trusted markup built by badgekit itself, such
as a QR code), spelled as ``html.escape(value, quote=True)`` spells it. ``.txt`` templates are
plain text. A variable a template names but the caller did
not pass is an error (``StrictUndefined``), never an empty string.

E-mail templates can be overridden per project: :func:`render` with ``search`` (the project's
templates folders) takes ``<folder>/email/<name>`` when there is one, else the shipped file.
"""

from __future__ import annotations

import html
import os
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import jinja2
    from markupsafe import Markup


@cache
def environment(search: tuple[str, ...] = ()) -> jinja2.Environment:
    """The shared template environment (built once per ``search``: folders looked in before the
    shipped templates)."""
    import jinja2
    from markupsafe import Markup

    @jinja2.pass_eval_context
    def finalize(context: jinja2.nodes.EvalContext, value: Any) -> Any:
        # Escape as html.escape(value, quote=True) does (&quot; and &#x27;); Jinja2 would escape
        # anyway (as &#34; and &#39;), this keeps pages byte-identical to earlier releases'.
        if not context.autoescape or hasattr(value, "__html__"):
            return value
        return Markup(html.escape(str(value), quote=True))

    shipped = jinja2.PackageLoader("badgekit", "data/html")
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(list(search)), shipped]) if search else shipped,
        autoescape=jinja2.select_autoescape(("html", "svg"), default_for_string=True, default=False),
        undefined=jinja2.StrictUndefined,
        finalize=finalize,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )


def render(name: str, /, search: Sequence[str | os.PathLike[str]] = (), **values: Any) -> str:
    """Render the template ``name`` (a file in ``badgekit/data/html/``, or in one of the ``search``
    folders first) with ``values``.

    Raises:
        jinja2.UndefinedError: the template uses a value that was not passed (a bug, exit code 70;
            a user's template naming an unknown value is reported by the caller).
    """
    return environment(tuple(str(d) for d in search)).get_template(name).render(**values)


def markup(text: str) -> Markup:
    """Mark ``text`` as trusted markup: a template inserts it unescaped. Only for markup badgekit
    built itself (a QR code SVG), never for text from a credential, roster or ledger."""
    from markupsafe import Markup

    return Markup(text)


__all__ = ["environment", "markup", "render"]
