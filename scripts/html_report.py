"""One self-contained HTML page from a report's parts (compare.py, report.py): the findings
first, then tables and figures, every figure embedded as a base64 PNG, no script, style sheet
or font fetched from anywhere, so the file can be mailed or opened offline.

    page = html_report.Page("Cloud outage: policies compared")
    page.findings(["Cheapest: Cloud, ..."])
    page.table(["KPI", "Cloud"], [["Cost (currency units)", "1,795"]])
    page.figure("compare.png", "KPIs with 95 % confidence intervals")
    page.write("compare.html")
"""
import base64
import html

_STYLE = """body{font-family:sans-serif;max-width:1000px;margin:2em auto;color:#111;line-height:1.4}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.6em}
.findings{background:#eef4fb;border-left:4px solid #2f5f8f;padding:.6em 1em}
.findings li{margin:.3em 0}table{border-collapse:collapse;margin:.8em 0;font-size:.9em}
th,td{border:1px solid #bbb;padding:.25em .6em;text-align:right}
th:first-child,td:first-child{text-align:left}thead{background:#f0f0f0}
img{max-width:100%;border:1px solid #ddd;margin:.5em 0}.note{color:#555;font-size:.9em}"""


class Page:
    def __init__(self, title):
        self.title = title
        self.parts = []

    def heading(self, text):
        self.parts.append(f"<h2>{html.escape(text)}</h2>")

    def findings(self, lines):
        if lines:
            items = "".join(f"<li>{html.escape(t)}</li>" for t in lines)
            self.parts.append(f'<ul class="findings">{items}</ul>')

    def paragraph(self, text, note=False):
        cls = ' class="note"' if note else ""
        self.parts.append(f"<p{cls}>{html.escape(text)}</p>")

    def bullets(self, lines):
        if lines:
            self.parts.append("<ul>" + "".join(f"<li>{html.escape(t)}</li>" for t in lines)
                              + "</ul>")

    def table(self, header, rows):
        head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in r) + "</tr>"
                       for r in rows)
        self.parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")

    def figure(self, png_path, alt):
        with open(png_path, "rb") as fh:
            data = base64.b64encode(fh.read()).decode("ascii")
        self.parts.append(f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">')

    def write(self, path):
        text = ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                f"<title>{html.escape(self.title)}</title><style>{_STYLE}</style></head>"
                f"<body><h1>{html.escape(self.title)}</h1>\n" + "\n".join(self.parts)
                + "\n</body></html>\n")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
