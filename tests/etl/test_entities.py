"""etl.entities: entities from tweet text by twitter-text's rules.

Many texts are modelled on twitter-text's conformance suite (conformance/extract.yml).
"""

import random
import time

import pytest
from twitter_text import extract_urls

from etl.entities import Entities, extract_entities, general_url_domain, url_domain

# ------------------------------------------------------------------------------------ mentions


@pytest.mark.parametrize(
    "text, expected",
    [
        ("@username reply", ("username",)),
        ("mention @username in the middle", ("username",)),
        ("mention @user_name and @12345", ("user_name", "12345")),
        ("@username\n@mention", ("username", "mention")),
        ("の@usernameに到着を待っている", ("username",)),
        ("＠fullwidth says hi", ("fullwidth",)),
        ("I like @name's idea", ("name",)),
        ("Hey @username, (cc: @other).", ("username", "other")),
        ("mail foo@bar.com or me@example.org", ()),
        ("@username email me @test@example.com", ("username",)),
        ("Current Status: @_@ (cc: @username)", ("username",)),
        ("@aliceìnheiro something", ()),
        ("@http://twitter.com", ()),
        ("RT@username RT:@mention rt @test", ("username", "mention", "test")),
        ("f!@kn f#@kn f$@kn f%@kn f&@kn f*@kn f@@kn", ()),
        (".@username is not a reply but a mention", ("username",)),
        ("@abcdefghijklmno is 15 chars", ("abcdefghijklmno",)),
        ("@abcdefghijklmnop is 16 chars: too long", ()),
        ("@username/list-name is a list, not a mention", ()),
        ("Hey @username, check out @otheruser/list_name-01!", ("username",)),
        ("@username/7list-name: a slug starts with a letter", ("username",)),
        ("@Alice @bob @alice @BOB @carol", ("Alice", "bob", "carol")),
        ("see https://medium.com/@author/post-123 now", ()),
        ("RT @someone: text cut at @PyTor…", ("someone",)),
        ("@someone… and more", ("someone",)),
        ("", ()),
    ],
)
def test_mentions(text, expected):
    assert extract_entities(text).mentions == expected


# ------------------------------------------------------------------------------------ hashtags


@pytest.mark.parametrize(
    "text, expected",
    [
        ("a #hashtag here", ("hashtag",)),
        ("this is #hashtag1 and #1hashtag", ("hashtag1", "1hashtag")),
        ("On the #16 bus, #1 fan, #0", ()),
        ("#_ #1_2 #122 #〃", ()),
        (
            "(#tag1 )#tag2 [#tag3 ]#tag4 ’#tag5’#tag6",
            ("tag1", "tag2", "tag3", "tag4", "tag5", "tag6"),
        ),
        ("#a: #b; #c, #d. #e! #f?", ("a", "b", "c", "d", "e", "f")),
        (
            "Hashtags in #中文, #日本語, #한국말, and #русский!",
            ("中文", "日本語", "한국말", "русский"),
        ),
        ("#привет мир", ("привет",)),
        ("#カタカナ #ひらがな #漢字", ("カタカナ", "ひらがな", "漢字")),
        ("日本語ハッシュテスト。#日本語ハッシュタグ。", ("日本語ハッシュタグ",)),
        ("日本語ハッシュタグ#くっついている", ()),
        ("全角 ＃ｈａｓｈｔａｇ１２３", ("ｈａｓｈｔａｇ１２３",)),
        ("できましたよー！＃日本語", ("日本語",)),
        ("#メ～テレ #サッカー #ﾊﾟﾋﾟﾌﾟ", ("メ～テレ", "サッカー", "ﾊﾟﾋﾟﾌﾟ")),
        ("#السياسة #ایران #برنامه_نویسی", ("السياسة", "ایران", "برنامه_نویسی")),
        ("#עַל־יְדֵי #וכו׳", ("עַל־יְדֵי", "וכו׳")),
        ("#महात्मा #महात्मा_१२३४ #१२३४", ("महात्मा", "महात्मा_१२३४")),
        ("#ශ්\u200dරීලංකා", ("ශ්\u200dරීලංකා",)),
        ("#Μαχάτμα_Γκάντι #il·lusió", ("Μαχάτμα_Γκάντι", "il·lusió")),
        ("#mañana #café #münchen #Ateş", ("mañana", "café", "münchen", "Ateş")),
        ("#\U00020021", ("\U00020021",)),
        ("#http://twitter.com #tag#tag &#tag", ()),
        ("http://twitter.com/#hashtag twitter.com/#hashtag", ()),
        ("#Python #python #PYTHON #data", ("Python", "data")),
        ("#️⃣ keycap is no hashtag", ()),
        ("RT @x: a #tag and a cut #Valen…", ("tag",)),
        ("#python… is fine mid-text", ("python",)),
    ],
)
def test_hashtags(text, expected):
    assert extract_entities(text).hashtags == expected


# ---------------------------------------------------------------------------------------- URLs


@pytest.mark.parametrize(
    "text, expected",
    [
        ("text http://example.com", ("http://example.com",)),
        ("(see http://x.com/a).", ("http://x.com/a",)),
        (
            "test http://twitter.com/. and http://example.com/path!!!",
            ("http://twitter.com/", "http://example.com/path"),
        ),
        (
            "http://en.wikipedia.org/wiki/Primer_(film)",
            ("http://en.wikipedia.org/wiki/Primer_(film)",),
        ),
        (
            "Go to http://example.com/a+ or http://example.com/a-",
            ("http://example.com/a+", "http://example.com/a-"),
        ),
        ("text http://foo.com?#foo text", ("http://foo.com?#foo",)),
        ("text http://somehost.com:3000/x", ("http://somehost.com:3000/x",)),
        ("I really like http://t.co/pbY2NfTZ's website", ("http://t.co/pbY2NfTZ",)),
        ("According to https://t.co/ulYGBYSo: cool", ("https://t.co/ulYGBYSo",)),
        ("Go to http://twitter.com/Русские_слова", ("http://twitter.com/Русские_слова",)),
        (
            "test http://foobar.みんな/ http://foobar.中国/",
            ("http://foobar.みんな/", "http://foobar.中国/"),
        ),
        ("foo.com foo.net bar.org/x", ("foo.com", "foo.net", "bar.org/x")),
        ("example.com/foo without a scheme", ("example.com/foo",)),
        ("foo.baz foo.co.jp foo.comm foo.jp", ("foo.co.jp",)),
        ("t.co/abcde bit.ly/abcde it.so", ("t.co/abcde", "bit.ly/abcde")),
        ("MLB.tv vine.co", ("MLB.tv", "vine.co")),
        (
            "これは日本語です。example.com/path中国語example.com한국",
            ("example.com/path", "example.com"),
        ),
        ("$http://twitter.com $twitter.com $TVI.CA", ()),
        ("long.test.tar.bz2 and john.doe.gov@mail.com", ()),
        ("#test.com @test.com", ()),
        ("text http://no-tld http://tld-too-short.x http://-x.twitter.com", ()),
        ("test ELPAÍS.com", ("ELPAÍS.com",)),
        ("📢http://Docsify-This.net v1.2.1 is out", ("http://Docsify-This.net",)),
        ("dup http://a.com/x and http://a.com/x", ("http://a.com/x", "http://a.com/x")),
        ("RT @x: read this https://t.co/abc…", ()),
        ("RT @x: and this http://example.com/lo…", ()),
        ("truncated at the domain https://t.co…", ()),
        ("photo pic.twitter.com/AbCdE123 here", ()),
        ("https://twitter.com/jack/status/20/photo/1", ()),
        ("https://x.com/jack/status/20/video/1 ok", ()),
    ],
)
def test_urls(text, expected):
    assert extract_entities(text).urls == expected


@pytest.mark.parametrize(
    "text",
    [
        "http://twitter.com/これは日本語です。example.com中国語http://t.co/abcde한국twitter.com",
        "Check https://github.com/simonw/datasette/issues/1234#issuecomment-1 (and http://a.b.cd)",
        "http://www.bestbuy.com/site/Currie+Technologies+-+Ezip+400+Scooter/9885188.p?id=1&skuId=9",
        "http://msdn.microsoft.com/ja-jp/library/system.net.httpwebrequest(v=VS.100).aspx, ok",
        "http://tn.com.ar/show/00056158/la?fb_xd_fragment#?=&cb=fe17523f223b7&relation=parent.parent",
        "test http://www.foo.com/bar-path/some.stm?param1=foo;param2=P1|0||P2|0 x",
        "a" * 70 + "example.com/path is too long a label for IDNA",
        "詳しくはexample.com/pathを見てください。" + "今日は良い天気。" * 20 + "foo.jp/x",
    ],
)
def test_urls_agree_with_twitter_text_parser(text):
    """Our faster driver of the library's regexes finds what the library itself finds."""
    assert extract_entities(text).urls == tuple(extract_urls(text))


# ------------------------------------------------------------------------- replies and retweets


@pytest.mark.parametrize(
    "text, expected",
    [
        ("@username reply", ("username",)),
        ("@a @b hi", ("a", "b")),
        ("@a\n@b @c: hi @d", ("a", "b", "c")),
        (" @username preceded by a space", ("username",)),
        ("\u3000@username preceded by a full-width space", ("username",)),
        ("＠fullwidth hi", ("fullwidth",)),
        ("@a @A @b hi", ("a", "b")),
        ("@a hi @b", ("a",)),
        (".@a hi", ()),
        ("a @username mention, not a reply", ()),
        ("/@a", ()),
        ("_@a", ()),
        ("-@a", ()),
        ("#@a", ()),
        ("!@a", ()),
        ("@@a", ()),
        ("@http://twitter.com", ()),
        ("@a@b hi", ()),
        ("@abcdefghijklmnop too long", ()),
        ("@list/slug hi", ()),
        ("RT @a: @b hi", ()),
        ("", ()),
    ],
)
def test_reply_to(text, expected):
    assert extract_entities(text).reply_to == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("RT @user: the original text", "user"),
        ("RT @user the original text", "user"),
        ("RT ＠user: full-width at sign", "user"),
        ("RT @user", "user"),
        ("RT @user's idea", None),
        ("RT @abcdefghijklmnop: too long", None),
        ("rt @user: lower case is not the retweet prefix", None),
        (" RT @user: not at the very start", None),
        ("Great point! RT @user: quoted", None),
        ("RT: @user", None),
        ("@user RT @other: hi", None),
    ],
)
def test_retweet_of(text, expected):
    assert extract_entities(text).retweet_of == expected


def test_retweet_name_is_a_mention():
    assert extract_entities("RT @user: hi @other #tag") == Entities(
        mentions=("user", "other"),
        hashtags=("tag",),
        urls=(),
        reply_to=(),
        retweet_of="user",
        quoted_status_ids=(),
        mention_spans=((3, 8), (13, 19)),
        hashtag_spans=((20, 24),),
    )


# ------------------------------------------------------------------------------ quoted statuses


@pytest.mark.parametrize(
    "text, expected",
    [
        ("https://twitter.com/jack/status/20", (20,)),
        ("look https://mobile.twitter.com/jack/status/20?s=20&t=abc", (20,)),
        ("https://x.com/elon/status/1855222380982907193", (1855222380982907193,)),
        ("https://www.twitter.com/Some_User/statuses/123456789012345678#m", (123456789012345678,)),
        ("https://twitter.com/i/web/status/1587489297460264960", (1587489297460264960,)),
        ("http://twitter.com/#!/jack/status/20 old style", (20,)),
        ("twitter.com/jack/status/21 without a scheme", (21,)),
        ("two https://x.com/a/status/1 https://x.com/b/status/2 https://x.com/a/status/1", (1, 2)),
        ("https://twitter.com/jack/status/20/photo/1", ()),
        ("https://twitter.com/jack/status/123…", ()),
        ("https://twitter.com/jack/likes", ()),
        ("https://example.com/jack/status/20", ()),
        ("https://twitter.com/jack/status/12345678901234567890", ()),
    ],
)
def test_quoted_status_ids(text, expected):
    ids = extract_entities(text).quoted_status_ids
    assert ids == expected
    assert all(type(i) is int for i in ids)


# ------------------------------------------------------------------------------- whole results


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", Entities((), (), (), (), None, ())),
        ("just text, no entities. Really.", Entities((), (), (), (), None, ())),
        (
            "@alice @Bob_2 see https://twitter.com/carol/status/1587489297460264960 #News #news",
            Entities(
                mentions=("alice", "Bob_2"),
                hashtags=("News",),
                urls=("https://twitter.com/carol/status/1587489297460264960",),
                reply_to=("alice", "Bob_2"),
                retweet_of=None,
                quoted_status_ids=(1587489297460264960,),
                mention_spans=((0, 6), (7, 13)),
                hashtag_spans=((71, 76),),
                url_spans=((18, 70),),
            ),
        ),
        (
            "RT @notasintel: #DANA\n\nUn amigo me pasa este texto https://t.co/AbC1 y @otro_us…",
            Entities(
                mentions=("notasintel",),
                hashtags=("DANA",),
                urls=("https://t.co/AbC1",),
                reply_to=(),
                retweet_of="notasintel",
                quoted_status_ids=(),
                mention_spans=((3, 14),),
                hashtag_spans=((16, 21),),
                url_spans=((51, 68),),
            ),
        ),
        (
            "今日は #桜 を見に行った！@tomodachi さんと。写真→ https://t.co/abcdEFGH12 foo@bar.jp",
            Entities(
                mentions=("tomodachi",),
                hashtags=("桜",),
                urls=("https://t.co/abcdEFGH12",),
                reply_to=(),
                retweet_of=None,
                quoted_status_ids=(),
                mention_spans=((14, 24),),
                hashtag_spans=((4, 6),),
                url_spans=((33, 56),),
            ),
        ),
    ],
)
def test_extract_entities(text, expected):
    assert extract_entities(text) == expected


# ------------------------------------------------------------------------------------ domains


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://www.Example.com:8080/x", "example.com"),
        ("http://example.com", "example.com"),
        ("example.com/foo", "example.com"),
        ("HTTPS://Sub.Example.CO.UK/a?b#c", "sub.example.co.uk"),
        ("https://t.co/abc", "t.co"),
        ("http://user:pw@www.example.org/", "example.org"),
        ("http://foobar.みんな/", "foobar.みんな"),
        ("www.example.com", "example.com"),
        ("http://example.com./x", "example.com"),
        ("https://exa\u200bmple.com/x", "example.com"),
        ("https://www.\u2060example.com", "example.com"),
        ("http://", None),
        ("", None),
        ("not a url", None),
        ("http://[::1", None),
    ],
)
def test_url_domain(url, expected):
    assert url_domain(url) == expected


# ------------------------------------------------------------------------------ huge entries
MB = 1_000_000


@pytest.mark.slow
@pytest.mark.parametrize(
    "text, expected",
    [
        ("@a http://a.co/x " * (MB // 17), (("a",), ("http://a.co/x",) * (MB // 17))),
        ("@a " * (MB // 3), (("a",), ())),
        ("#x " * (MB // 3), ((), ())),
        ("a.co " * (MB // 5), ((), ("a.co",) * (MB // 5))),
        ("a" * MB, ((), ())),
        ("@" * MB, ((), ())),
        ("#" * MB, ((), ())),
        ("." * MB, ((), ())),
        (".a" * (MB // 2), ((), ())),
        ("a.b.c.d" * (MB // 7), ((), ())),
        ("東京.jp" * (MB // 5), ((), ())),
        ("@a… " * (MB // 4), (("a",), ())),
        ("#a… " * (MB // 4), ((), ())),
        ("a-" * (MB // 2) + ".com", ((), ())),
        ("a." * (MB // 2) + "-.a.com", ((), ())),
        (("a." * 100 + "東.co ") * (MB // 206), ((), ())),
        ("a.com/x " * (MB // 8), ((), ("a.com/x",) * (MB // 8))),
    ],
    ids=lambda v: repr(v[:12]) if isinstance(v, str) else "",
)
def test_a_huge_entry_is_extracted_in_linear_time(text, expected):
    # About 1 s each on an idle machine; the quadratic paths took minutes or never finished.
    started = time.perf_counter()
    entities = extract_entities(text)
    assert time.perf_counter() - started < 8
    assert (entities.mentions, entities.urls) == expected


@pytest.mark.slow
def test_many_distinct_quoted_tweets_are_each_listed_once():
    text = " ".join(f"twitter.com/a/status/{n}" for n in range(1, 40_001)) * 2
    started = time.perf_counter()
    assert extract_entities(text).quoted_status_ids == tuple(range(1, 40_001))
    assert time.perf_counter() - started < 5


def test_the_fast_domain_reading_agrees_with_urlsplit():
    """url_domain reads plain http(s) URLs without urlsplit; on anything, it must agree."""
    rng = random.Random(7)
    urls = [
        "http://a_b.com/",
        "HTTP://X.COM/",
        "http://u:p@x.org/",
        "https://x.com:abc/",
        "https://x.com:80",
        "www.example.com.",
        "https://exa\u200bmple.com/",
        "https://例え.jp/",
        "1?://b",
    ]
    for alphabet in ("ab.-:/?#@_ 1H\u00e9\u200b", "htps:/.w-1"):
        urls += ["".join(rng.choices(alphabet, k=rng.randint(1, 14))) for _ in range(10_000)]
    urls += ["https://" + url for url in urls[:5_000]]
    assert [url_domain(u) for u in urls] == [general_url_domain(u) for u in urls]
