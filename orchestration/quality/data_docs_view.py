"""The page view of fukan's Data Docs: GX's own, with every value from the data escaped.

GX escapes the parameters of its string templates but writes a plain value (an
unexpected value, a failing row's id, a column name from a file's header) into the page
as it is, so a CRM value such as `<script>...</script>` would run in the browser of
whoever opens the docs. Here every plain string becomes text before it reaches the page;
the renderer's own content blocks (dicts) are rendered as GX renders them. GX loads this
class by name from the site configuration in `data_docs.py`.
"""

from __future__ import annotations

import html
from typing import Any

from great_expectations.render.view import DefaultJinjaPageView
from jinja2 import pass_context


def _text(value: Any) -> Any:
    return html.escape(value, quote=False) if isinstance(value, str) else value


class EscapedValuesPageView(DefaultJinjaPageView):
    @pass_context
    def render_content_block(
        self,
        jinja_context: Any,
        content_block: Any,
        index: Any = None,
        content_block_id: Any = None,
        render_to_markdown: bool = False,
    ) -> Any:
        if isinstance(content_block, list):  # GX wraps plain list items in a <span> as they are
            content_block = [_text(item) for item in content_block]
        return super().render_content_block(
            jinja_context, _text(content_block), index, content_block_id, render_to_markdown
        )
