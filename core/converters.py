class CitationFormatConverter:
    """The three download formats every citable page offers: cite.bib, cite.ris, cite.json."""

    regex = "bib|ris|json"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value
