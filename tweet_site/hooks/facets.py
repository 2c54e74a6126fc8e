import re
import urllib.parse

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.facets import Facet

from tweet_site.core import CUBE_EXPRESSIONS

# name: (SQL expression of a tweet's value, order of the values). The expressions are the
# ones etl/summaries.py counts into facet_counts for the unfiltered table.
FACETS = {
    "year": ("substr(created_at, 1, 4)", "value desc"),
    "month": ("substr(created_at, 1, 7)", "value desc"),
    "kind": ("kind", "count desc, value"),
    "source": ("source", "count desc, value"),
    "lang": ("lang", "count desc, value"),
    "has_media": ("media_count > 0", "value desc"),
}
UNFILTERED = re.compile(r"^\s*select .* from \[?tweets\]?\s*$", re.S | re.I)
# The filtered rows are read once, into a small temporary table of the columns the facets
# count, instead of once per facet (a year of a million-tweet archive: 0.5 s of SQL per page
# as six scans).
FACET_COLUMNS = "created_at, kind, source, lang, media_count"
TIME_LIMIT_MS = 400


def next_period(value):
    """'2019' -> '2020', '2019-12' -> '2020-01'."""
    if len(value) == 4:
        return f"{int(value) + 1:04d}"
    year, month = int(value[:4]), int(value[5:7])
    return f"{year + month // 12:04d}-{month % 12 + 1:02d}"


def filter_args(name, value):
    """The query-string arguments that select one facet value on the tweets table."""
    if name in ("year", "month"):
        return [("created_at__gte", value), ("created_at__lt", next_period(value))]
    if name == "has_media":
        return [("media_count__gt", "0")] if str(value) == "1" else [("media_count", "0")]
    return [(name, str(value))]


def label(name, value):
    if name == "has_media":
        return "with media" if str(value) == "1" else "without media"
    return value


def each_facet(names, size, select):
    """One query for every facet: `select(name, expression, order)` counts one of them."""
    return "\nunion all\n".join(
        f"select * from ({select(name, *FACETS[name])} limit {size + 1})" for name in names
    )


def summary_sql(names, size):
    return each_facet(
        names,
        size,
        lambda name, _, order: (
            f"select '{name}' as facet, value, tweets as count from facet_counts "
            f"where facet = '{name}' order by {order}"
        ),
    )


YEAR_OR_MONTH = re.compile(r"^\d{4}(-\d{2})?$")
# Arguments that change which rows a table page lists; the others only change how they show.
ROW_ARGUMENTS = re.compile(r"^_(where|through|search|filter)")


def cube_conditions(pairs):
    """The page's filters as conditions on facet_cube, or None when one of them is not a
    facet value's filter (filter_args), which only the tweets themselves can answer."""
    conditions, params = [], {}
    for key, value in pairs:
        if key.startswith("_") and "__" not in key:
            if ROW_ARGUMENTS.match(key):
                return None
            continue
        name = f"c{len(params)}"
        if key in ("created_at__gte", "created_at__lt") and YEAR_OR_MONTH.match(value):
            # A year or month bound compares the same on 'YYYY-MM' as on the full timestamp.
            conditions.append(f"month {'>=' if key.endswith('gte') else '<'} :{name}")
        elif key.removesuffix("__exact") in ("kind", "source", "lang"):
            conditions.append(f"{key.removesuffix('__exact')} = :{name}")
        elif (key, value) == ("media_count__gt", "0"):
            conditions.append(f"has_media = :{name}")
            value = 1
        elif (key, value) in (("media_count", "0"), ("media_count__exact", "0")):
            conditions.append(f"has_media = :{name}")
            value = 0
        else:
            return None
        params[name] = value
    return conditions, params


def cube_sql(names, size, conditions):
    where = "".join(f" and {condition}" for condition in conditions)
    return each_facet(
        names,
        size,
        lambda name, _, order: (
            f"select '{name}' as facet, {CUBE_EXPRESSIONS[name]} as value, sum(tweets) as count "
            f"from facet_cube where value is not null{where} group by value order by {order}"
        ),
    )


def counting_sql(names, size, table_sql):
    rows = f"with facet_rows as materialized (select {FACET_COLUMNS} from ({table_sql}))\n"
    return rows + each_facet(
        names,
        size,
        lambda name, expression, order: (
            f"select '{name}' as facet, {expression} as value, count(*) as count "
            f"from facet_rows where value is not null group by value order by {order}"
        ),
    )


class SummaryFacet(Facet):
    """Facets of the tweets table that stay fast on a million tweets: read from the
    facet_counts summary table when nothing is filtered, from facet_cube when the filters are
    facet values (a year, a kind...), else counted under a short time
    limit and left out (rather than shown as "timed out") when that is not enough. Facets
    asked for with ?_facet= work as usual."""

    type = "summary"

    def toggle_path(self, pairs, args, selected):
        pairs = [pair for pair in pairs if pair[0] != "_next"]
        if selected:
            pairs = [pair for pair in pairs if pair not in args]
        else:
            keys = {key for key, _ in args}
            pairs = [pair for pair in pairs if pair[0] not in keys] + args
        query = urllib.parse.urlencode(pairs)
        return self.request.path + ("?" + query if query else "")

    async def facet_results(self):
        results = []
        if any(key.startswith("_search") for key in self.request.args):
            # Counting every match of a full-text search by six columns is what makes a
            # search of a common word slow: searches get no default facets.
            return results, []
        size = self.get_facet_size()
        pairs = self.get_querystring_pairs()
        db = self.ds.get_database(self.database)
        names = [
            config["config"].get("simple")
            for config in self.get_configs()
            if config["config"].get("simple") in FACETS and self.table == "tweets"
        ]
        if not names:
            return results, []
        cube = cube_conditions(pairs)
        if UNFILTERED.match(self.sql) and await db.table_exists("facet_counts"):
            sql, params = summary_sql(names, size), {}
        elif cube is not None and await db.table_exists("facet_cube"):
            sql, params = cube_sql(names, size, cube[0]), cube[1]
        else:
            sql, params = counting_sql(names, size, self.sql), self.params
        try:
            counted = (
                await self.ds.execute(self.database, sql, params, custom_time_limit=TIME_LIMIT_MS)
            ).rows
        except QueryInterrupted:
            return results, []
        for name in names:
            rows = [row for row in counted if row["facet"] == name]
            values = []
            for row in rows[:size]:
                value = str(row["value"])
                args = filter_args(name, value)
                selected = all(pair in pairs for pair in args)
                path = self.toggle_path(pairs, args, selected)
                values.append(
                    {
                        "value": value,
                        "label": label(name, value),
                        "count": row["count"],
                        "toggle_url": self.ds.absolute_url(self.request, self.ds.urls.path(path)),
                        "selected": selected,
                    }
                )
            if values:
                results.append(
                    {
                        "name": name,
                        "type": "column",
                        "hideable": False,
                        "toggle_url": self.ds.urls.path(self.request.path),
                        "results": values,
                        "truncated": len(rows) > size,
                    }
                )
        return results, []


@hookimpl
def register_facet_classes():
    return [SummaryFacet]
