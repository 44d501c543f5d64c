"""What every response carries, and the edges of login a forged request would use."""

from server.photos.tables import Photo
from tests.inspections.helpers import upload_photo
from tests.world import PASSWORD


async def test_every_response_says_nosniff_and_the_app_has_a_strict_csp(world):
    client = await world.client("inspector")
    for path in ("/api/health", "/api/issues", "/api/no-such-route", "/"):
        r = await client.get(path)
        assert r.headers["x-content-type-options"] == "nosniff", path
        csp = r.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp, path
    assert (await client.get("/api/issues")).headers["content-security-policy"].startswith("default-src 'none'")
    assert "script-src 'self'" in (await client.get("/")).headers["content-security-policy"]


async def test_an_original_photo_is_served_as_a_download(world):
    client = await world.client("inspector")
    uuid = await upload_photo(client, world.sites["a1"])
    r = await client.get(f"/api/photos/{uuid}/original")
    assert r.status_code == 200
    assert r.headers["content-disposition"] == f'attachment; filename="{uuid}.jpg"'
    assert r.headers["x-content-type-options"] == "nosniff"
    shown = await client.get(f"/api/photos/{uuid}/display")
    assert "content-disposition" not in shown.headers  # the copies the app shows stay inline
    assert await Photo.count() == 1


async def test_login_takes_json_only(world):
    client = await world.client()
    body = '{"username": "inspector", "password": "%s"}' % PASSWORD
    for content_type in ("text/plain", "application/x-www-form-urlencoded"):
        r = await client.post("/api/auth/login", content=body, headers={"Content-Type": content_type})
        assert r.status_code in (400, 415) and "ducha_session" not in r.cookies, (content_type, r.text)
    ok = await client.post("/api/auth/login", json={"username": "inspector", "password": PASSWORD})
    assert ok.status_code == 200


async def test_the_origin_check_compares_the_scheme_too(world):
    client = await world.client()
    host = client.base_url.host
    good = await client.post("/api/auth/login", json={"username": "inspector", "password": PASSWORD},
                             headers={"Origin": f"{client.base_url.scheme}://{host}"})
    assert good.status_code == 200
    other = "https" if client.base_url.scheme == "http" else "http"
    bad = await client.post("/api/auth/login", json={"username": "inspector", "password": PASSWORD},
                            headers={"Origin": f"{other}://{host}"})
    assert bad.status_code == 403 and bad.json()["error"] == "csrf_failed"
