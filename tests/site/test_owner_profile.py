"""The owner's profile header on home and on their account page, their pictures, and every
date in the owner's time zone (hooks/owner_profile.py, templates/_profile.html,
tweet_site/tweets.py: readable_time)."""

import re

import pytest

from tests.helpers.build import run_build
from tests.helpers.paths import FIXTURES
from tests.helpers.site import make_datasette

PROFILE = FIXTURES / "profile" / "official"
OWNER_ID = 7700770077
# 2021-03-01T15:00:00Z: midnight of the 2nd in Tokyo.
MIDNIGHT_IN_TOKYO = 1366426870330523648


@pytest.fixture(scope="module")
def profile_db(tmp_path_factory):
    db_path = tmp_path_factory.mktemp("profile") / "archive.db"
    result = run_build(db_path, PROFILE)
    assert result.exit_code == 0, result.output
    return db_path


@pytest.fixture
def pds(profile_db, metadata, monkeypatch):
    monkeypatch.delenv("TWEET_ARCHIVE_MEDIA_ROOT", raising=False)
    return make_datasette(profile_db, metadata)


def section(page, css_class):
    match = re.search(rf'<section class="{css_class}[^"]*".*?</section>', page, re.S)
    return match.group(0) if match else None


def squeezed(html):
    return re.sub(r"\s+", " ", html)


HEADER = (
    '<section class="profile-header has-banner" aria-label="Profile of @tz_owner"> '
    '<img class="profile-banner" src="/-/media/profile/tz_owner/header.png" alt="" '
    'width="1500" height="500"> <div class="profile-main"> '
    '<img class="profile-avatar" src="/-/media/profile/tz_owner/avatar.png" '
    'alt="Profile picture of @tz_owner" width="96" height="96"> <p class="profile-names"> '
    # The display name's right-to-left override is dropped.
    '<span class="profile-name" dir="auto">Tomo Zone Owner</span> '
    "{handle} </p> </div> "
    '<p class="profile-bio" dir="auto">Invented account for tests '
    "&lt;script&gt;alert(1)&lt;/script&gt; &amp; trains. More at "
    '<a href="https://example.org/about" title="https://example.org/about" '
    'rel="nofollow noopener noreferrer">example.org/about</a></p> '
    '<ul class="profile-facts"> <li class="profile-location"><span class="profile-label">'
    'Location:</span> <span dir="auto">Tokyo, Japan</span></li> '
    '<li class="profile-website"><span class="profile-label">Website:</span> '
    '<a href="https://t.co/AbCdEf1234" rel="nofollow noopener noreferrer">t.co/AbCdEf1234</a>'
    "</li> "
    '<li class="profile-joined"><time datetime="2011-03-14T09:26:53+00:00">Joined March 2011'
    "</time></li> </ul> </section>"
)


@pytest.mark.asyncio
async def test_home_shows_the_owners_profile_header(pds):
    page = (await pds.client.get("/")).text
    handle = '<a class="profile-handle" href="/-/user/tz_owner">@tz_owner</a>'
    assert squeezed(section(page, "profile-header")) == HEADER.format(handle=handle)
    assert "/static/profile.css" in page


@pytest.mark.asyncio
async def test_the_owners_account_page_shows_it_too(pds):
    response = await pds.client.get(f"/archive/users/{OWNER_ID}")
    assert response.status_code == 200
    handle = '<span class="profile-handle">@tz_owner</span>'
    assert squeezed(section(response.text, "profile-header")) == HEADER.format(handle=handle)
    assert "Times in Tokyo time (Asia/Tokyo)." in response.text


@pytest.mark.asyncio
async def test_an_archive_without_a_profile_has_no_header(ds):
    page = (await ds.client.get("/")).text
    assert "profile-header" not in page
    assert "<figcaption>Hour of day × weekday, UTC</figcaption>" in page
    assert "Times in" not in page


@pytest.mark.asyncio
async def test_times_are_in_the_owners_zone(pds):
    page = (await pds.client.get(f"/archive/tweets/{MIDNIGHT_IN_TOKYO}")).text
    assert '<time datetime="2021-03-01T15:00:00+00:00">Tue 2 Mar 2021, 00:00 JST</time>' in page
    home = squeezed((await pds.client.get("/")).text)
    assert (
        'from <time datetime="2021-03-01T15:00:00+00:00">Tue 2 Mar 2021, 00:00 JST</time> to '
        '<time datetime="2021-07-06T12:30:00+00:00">Tue 6 Jul 2021, 21:30 JST</time>. '
        "Times in Tokyo time (Asia/Tokyo).</p>"
    ) in home
    assert "<figcaption>Hour of day × weekday, Tokyo time (Asia/Tokyo)</figcaption>" in home


@pytest.mark.asyncio
async def test_another_archive_in_the_same_process_stays_in_utc(pds, ds):
    await pds.client.get("/")
    page = (await ds.client.get("/")).text
    assert "UTC</time>" in page and "JST" not in page


@pytest.mark.asyncio
async def test_the_pictures_are_served_from_the_database(pds):
    avatar = PROFILE / "data/profile_media/7700770077-AvAtAr01_400x400.png"
    response = await pds.client.get("/-/media/profile/tz_owner/avatar.png")
    assert response.status_code == 200
    assert response.content == avatar.read_bytes()
    assert response.headers["content-type"] == "image/png"
    assert response.headers["x-content-type-options"] == "nosniff"
    for path in (
        "/-/media/profile/tz_owner/avatar.jpg",
        "/-/media/profile/nobody/avatar.png",
        "/-/media/profile/tz_owner/stray.html",
        "/-/media/profile/tz_owner/../avatar.png",
    ):
        assert (await pds.client.get(path)).status_code == 404, path


@pytest.mark.asyncio
async def test_home_of_an_archive_without_tweets_names_its_owner_in_a_whole_sentence(
    tmp_path, metadata
):
    # A private build of an export without its tweets file: no dates to give.
    db_path = tmp_path / "archive.db"
    result = run_build(db_path, FIXTURES / "private", args=["--private"])
    assert result.exit_code == 0, result.output
    home = (await make_datasette(db_path, metadata).client.get("/")).text
    owners = re.search(r'<p class="home-owners">(.*?)</p>', home, re.S)[1]
    assert re.sub(r"<[^>]+>", "", squeezed(owners)) == "Archive of @fixture_owner (Fixture Owner)."
