class CitationFormatConverter:
    """The download formats every citable page offers: cite.bib, cite.ris, cite.json, and
    the same of emgov's record of the entry: cite.record.bib, cite.record.ris,
    cite.record.json."""

    regex = "(?:record[.])?(?:bib|ris|json)"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


class CountryCodeConverter:
    """An ISO 3166-1 alpha-2 code, in either case (/countries/np/, /countries/NP/).

    Anything else is no address at all: `<str:>` let a NUL byte through to the
    query, which PostgreSQL refuses with an error (a 500) instead of a 404."""

    regex = "[A-Za-z]{2}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value
