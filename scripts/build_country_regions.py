"""Regenerate editorial/data/country_regions.csv, the region of each ISO 3166-1 country.

pycountry has no regions, so the UN M49 region and sub-region come from the data
table shipped in the `country_converter` package. This is a build-time script:
run it in a throwaway virtualenv with `pip install country_converter==1.3.2`;
the site itself only reads the committed CSV.
"""

import csv
import pathlib
import sys

import country_converter

TABLE = pathlib.Path(country_converter.__file__).with_name("country_data.tsv")
OUT = pathlib.Path(__file__).resolve().parents[1] / "editorial" / "data" / "country_regions.csv"


def main():
    with TABLE.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    for r in rows:
        # A few codes are regexes that also accept an alias ("^GB$|^UK$").
        r["ISO2"] = r["ISO2"].split("|")[0].strip("^$")
    rows = [r for r in rows if len(r["ISO2"]) == 2]
    rows.sort(key=lambda r: r["ISO2"])
    with OUT.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(["iso2", "region", "subregion"])
        for r in rows:
            out.writerow([r["ISO2"], r["continent"], r["UNregion"]])
    sys.stdout.write(f"wrote {len(rows)} rows to {OUT}\n")


if __name__ == "__main__":
    main()
