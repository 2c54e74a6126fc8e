import re

from datasette import hookimpl

# Characters XML 1.0 can't carry at all: datasette-atom's feed builder refuses the whole feed
# (a 500) for one tweet holding any of them.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value):
    if not isinstance(value, str):
        return value
    return NOT_XML.sub("", value)


@hookimpl
def prepare_connection(conn):
    conn.create_function("xml_text", 1, xml_text, deterministic=True)
