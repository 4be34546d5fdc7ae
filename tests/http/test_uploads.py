"""Issue 19: uploads. Images are decoded and re-encoded by libvips (metadata such as EXIF GPS
gone, resized, transparency kept), other files are allowed by content and served as
attachments; content-addressed in PostgreSQL; bad input is a clear 4xx with nothing
stored; an upload is public only through a visible post."""
import re
import time
import struct
import zlib
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from conftest import Client, Server, assert_error, make_user, new_thread, reply

API = "/api/v1/uploads"


# --- files made here, byte by byte (no Pillow on the machine) ---

def png(width, height, alpha=False, idat=None):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    channels = 4 if alpha else 3
    if idat is None:
        row = bytes([0]) + bytes([200, 30, 30, 128][:channels]) * width
        idat = zlib.compress(row * height)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6 if alpha else 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


# A 1x1 GIF with a transparent colour.
GIF = (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00"
       b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")


def gif(width, height, frames, comment=None, delay=10):
    """An animated GIF (looping, a NETSCAPE2.0 block) whose frames are each one colour of a
    four-colour palette, listed by index; LZW written with a clear code before every pixel,
    so every code stays 3 bits wide."""
    def lzw(index, n):
        bits = nbits = 0
        out = bytearray()
        for code in [4, index] * n + [5]:
            bits |= code << nbits
            nbits += 3
            while nbits >= 8:
                out.append(bits & 0xFF)
                bits >>= 8
                nbits -= 8
        return bytes(out + (bytes([bits]) if nbits else b""))

    def blocks(data):
        return b"".join(bytes([len(data[i:i + 255])]) + data[i:i + 255]
                        for i in range(0, len(data), 255)) + b"\x00"
    out = b"GIF89a" + struct.pack("<HHBBB", width, height, 0x91, 0, 0) + bytes([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255])
    out += b"\x21\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00"
    if comment:
        out += b"\x21\xfe" + blocks(comment)
    for index in frames:
        out += b"\x21\xf9\x04\x00" + struct.pack("<H", delay) + b"\x00\x00"
        out += b"\x2c" + struct.pack("<HHHHB", 0, 0, width, height, 0) + b"\x02" + blocks(lzw(index, width * height))
    return out + b"\x3b"


def gif_frames(data):
    """The frames of a GIF, walked block by block, and its extensions' labels."""
    assert data[:6] in (b"GIF87a", b"GIF89a")
    pos = 13 + (3 * 2 ** ((data[10] & 7) + 1) if data[10] & 0x80 else 0)
    frames, labels = 0, []

    def skip_blocks(p):
        while data[p]:
            p += data[p] + 1
        return p + 1
    while data[pos] != 0x3B:
        if data[pos] == 0x21:
            labels.append(data[pos + 1])
            pos = skip_blocks(pos + 2)
        elif data[pos] == 0x2C:
            frames += 1
            flags = data[pos + 9]
            pos += 10 + (3 * 2 ** ((flags & 7) + 1) if flags & 0x80 else 0)
            pos = skip_blocks(pos + 1)
        else:
            raise AssertionError("not a GIF block at %d" % pos)
    return frames, labels


# A 3x2 lossy WebP carrying an EXIF block (written by `vips black x.webp 3 2`).
WEBP = bytes.fromhex(
    "52494646f800000057454250565038580a0000000800000002000001000056503820180000003001009d012a"
    "0300020002003425a400037000fefbfd500045584946ba00000045786966000049492a000800000006001201"
    "030001000000010000001a01050001000000560000001b010500010000005e00000028010300010000000200"
    "00001302030001000000010000006987040001000000660000000000000038630000e803000038630000e803"
    "0000060000900700040000003032313001910700040000000102030000a00700040000003031303001a00300"
    "01000000ffff000002a00400010000000300000003a00400010000000200000000000000")


def exif_gps_segment():
    """An APP1 Exif segment (big-endian TIFF) whose IFD0 points to a GPS IFD holding a
    latitude reference and a made-up marker string."""
    ifd0 = struct.pack(">H", 1) + struct.pack(">HHII", 0x8825, 4, 1, 26) + struct.pack(">I", 0)
    gps = (struct.pack(">H", 2) + struct.pack(">HHI4s", 1, 2, 2, b"N\x00\x00\x00")
           + struct.pack(">HHII", 0x001B, 7, 16, 44) + struct.pack(">I", 0))
    tiff = b"MM\x00\x2a" + struct.pack(">I", 8) + ifd0 + gps + b"GPSSECRETPLACE!!"
    payload = b"Exif\x00\x00" + tiff
    return b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload


def upload(client, data, name="file.bin", ctype="application/octet-stream", **kw):
    return client.post(API, files={"file": (name, data, ctype)}, **kw)


def uploaded(client, data, name="file.bin"):
    r = upload(client, data, name)
    assert r.status_code == 201, r.text
    return r.json()


@pytest.fixture(scope="module")
def owner(server, cluster):
    return make_user(server, cluster)


@pytest.fixture(scope="module")
def a_jpeg(owner):
    """A real JPEG: Corral's own re-encoding of an opaque PNG."""
    u = uploaded(owner, png(40, 30), "photo.png")
    assert u["kind"] == "image" and u["url"].endswith(".jpg")
    r = owner.get(u["url"])
    assert r.status_code == 200 and r.content[:3] == b"\xff\xd8\xff"
    return r.content


def count_uploads(cluster):
    return cluster.sql("SELECT count(*) FROM uploads")[0][0]


# --- images ---

def test_png_is_reencoded_and_answered_with_markdown(server, cluster, owner):
    u = uploaded(owner, png(20, 10), "my [chart].png")
    assert re.fullmatch(r"/uploads/[0-9a-f]{64}\.jpg", u["url"])
    assert u["hash"] in u["url"] and u["width"] == 20 and u["height"] == 10
    assert u["content_type"] == "image/jpeg" and u["bytes"] > 0
    assert u["markdown"] == "![my  chart .png](%s)" % u["url"]
    r = owner.get(u["url"])
    assert r.status_code == 200 and r.headers["Content-Type"] == "image/jpeg"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in r.headers["Content-Security-Policy"]
    assert r.headers["Content-Disposition"].startswith("inline")
    assert len(r.content) == u["bytes"]


def test_transparency_is_kept_as_png(owner):
    u = uploaded(owner, png(8, 8, alpha=True), "t.png")
    assert u["url"].endswith(".png") and u["content_type"] == "image/png"
    g = uploaded(owner, GIF, "dot.gif")
    assert g["url"].endswith(".png") and (g["width"], g["height"]) == (1, 1)


def test_an_animated_gif_stays_animated_without_its_comments(owner):
    data = gif(4, 3, [0, 1, 2], comment=b"SECRET-COMMENT")
    assert gif_frames(data) == (3, [0xFF, 0xFE, 0xF9, 0xF9, 0xF9])   # the helper itself
    u = uploaded(owner, data, "moving.gif")
    assert u["url"].endswith(".gif") and u["content_type"] == "image/gif"
    assert (u["width"], u["height"]) == (4, 3)
    served = owner.get(u["url"]).content
    frames, labels = gif_frames(served)
    assert frames == 3 and 0xFF in labels and b"NETSCAPE2.0" in served   # still looping
    assert b"SECRET-COMMENT" not in served and 0xFE not in labels


def test_a_gif_of_more_frames_than_kept_keeps_its_first(owner):
    u = uploaded(owner, gif(2, 2, [1] * 301), "long.gif")
    assert u["url"].endswith(".jpg") and (u["width"], u["height"]) == (2, 2)


def test_webp_is_reencoded_without_its_exif(owner):
    assert b"Exif" in WEBP
    u = uploaded(owner, WEBP, "pic.webp")
    assert u["url"].endswith(".jpg") and (u["width"], u["height"]) == (3, 2)
    assert b"Exif" not in owner.get(u["url"]).content


def test_csrf_as_a_form_field_and_the_origin_check(server, owner):
    r = owner.post(API, csrf=False, data={"csrf": owner.csrf}, files={"file": ("f.txt", b"field token\n", "text/plain")})
    assert r.status_code == 201, r.text
    assert_error(upload(owner, b"foreign\n", "f.txt", headers={"Origin": "https://evil.example"}), 403, "csrf")


def test_the_same_file_is_stored_once(cluster, owner):
    data = png(13, 7)
    a, b = uploaded(owner, data, "a.png"), uploaded(owner, data, "b.png")
    assert a["hash"] == b["hash"] and a["markdown"] != b["markdown"]
    assert cluster.sql("SELECT count(*) FROM uploads WHERE hash = %s", (a["hash"],))[0][0] == 1
    assert cluster.sql("SELECT count(*) FROM upload_events WHERE hash = %s", (a["hash"],))[0][0] == 2


def test_exif_gps_is_stripped(owner, a_jpeg):
    with_gps = a_jpeg[:2] + exif_gps_segment() + a_jpeg[2:]
    assert b"GPSSECRETPLACE" in with_gps
    u = uploaded(owner, with_gps, "holiday.jpg")
    served = owner.get(u["url"]).content
    assert served[:3] == b"\xff\xd8\xff"
    assert b"GPSSECRETPLACE" not in served and b"Exif" not in served


def test_polyglot_images_are_neutralised(owner, a_jpeg):
    script = b"<html><script>alert(document.cookie)</script></html>"
    gif = uploaded(owner, GIF + script, "a.gif")
    comment = b"\xff\xfe" + struct.pack(">H", len(script) + 2) + script
    jpg = uploaded(owner, a_jpeg[:2] + comment + a_jpeg[2:], "b.jpg")
    for u in (gif, jpg):
        body = owner.get(u["url"]).content
        assert b"<script" not in body and b"<html" not in body


@pytest.mark.parametrize("name,data", [
    ("bomb.png", png(100000, 100000, idat=zlib.compress(b"\x00" * 64))),
    ("wide.png", png(60000, 1000, idat=zlib.compress(b"\x00" * 64))),
])
def test_decompression_bombs_are_refused_before_decoding(cluster, owner, name, data):
    before = count_uploads(cluster)
    err = assert_error(upload(owner, data, name), 400, "invalid_input", "file")
    assert "megapixels" in err["message"]
    assert count_uploads(cluster) == before


def test_truncated_images_are_refused(cluster, owner, a_jpeg):
    before = count_uploads(cluster)
    whole = png(64, 64)
    assert_error(upload(owner, whole[:len(whole) // 2], "half.png"), 400, "invalid_input", "file")
    assert_error(upload(owner, a_jpeg[:len(a_jpeg) // 2], "half.jpg"), 400, "invalid_input", "file")
    assert count_uploads(cluster) == before


# --- other files ---

def test_csv_is_an_attachment_that_cannot_run(owner):
    u = uploaded(owner, b"name,count\nalpha,1\n", "numbers.csv")
    assert u["kind"] == "text" and u["url"].endswith(".csv") and u["width"] is None
    assert u["markdown"] == "[numbers.csv](%s)" % u["url"]
    r = owner.get(u["url"])
    assert r.status_code == 200 and r.content == b"name,count\nalpha,1\n"
    assert r.headers["Content-Type"].startswith("text/csv")
    assert r.headers["Content-Disposition"].startswith("attachment")
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    csp = r.headers["Content-Security-Policy"]
    assert "sandbox" in csp and "default-src 'none'" in csp
    assert "immutable" not in r.headers["Cache-Control"]   # not public yet


def test_pdf_is_accepted_by_content(owner):
    u = uploaded(owner, b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n", "report")
    assert u["kind"] == "pdf" and u["url"].endswith(".pdf")
    assert owner.get(u["url"]).headers["Content-Type"] == "application/pdf"


@pytest.mark.parametrize("name,data,why", [
    ("cat.png", b"<!doctype html><script>alert(1)</script>", "image"),   # a .png that is HTML
    ("cat.png", b"just some text", "image"),
    ("page.txt", b"  <html><body>hi</body></html>", "web page"),
    ("doc.pdf", b"%PDF-1.4\n<html><script>alert(1)</script></html>", "web page"),   # polyglot
    ("bin.dat", b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64, "not accepted"),
    ("latin1.txt", b"caf\xe9 cr\xe8me", "not accepted"),   # not UTF-8
    ("nul.txt", b"a\x00b", "not accepted"),
])
def test_wrong_type_by_content_is_415(cluster, owner, name, data, why):
    before = count_uploads(cluster)
    err = assert_error(upload(owner, data, name), 415, "unsupported_media_type", "file")
    assert why in err["message"]
    assert count_uploads(cluster) == before


# --- bad requests ---

def test_bad_requests(cluster, server, owner):
    before = count_uploads(cluster)
    assert_error(upload(owner, b"", "empty.txt"), 400, "invalid_input", "file")
    assert_error(owner.post(API, files={"other": ("x.txt", b"hello", "text/plain")}), 400, "invalid_input", "file")
    two = [("file", ("a.txt", b"one", "text/plain")), ("file", ("b.txt", b"two", "text/plain"))]
    assert_error(owner.post(API, files=two), 400, "invalid_input", "file")
    assert_error(owner.post(API, json={"file": "aGVsbG8="}), 415, "unsupported_media_type")
    h = {"Content-Type": "multipart/form-data; boundary=xyz"}
    assert_error(owner.post(API, data=b"--xyz\r\nContent-Disposition: form-data; name=\"file\"", headers=h),
                 400, "invalid_input")
    assert_error(owner.post(API, data=b"--xyz\r\nno colon here\r\n\r\nbody\r\n--xyz--", headers=h),
                 400, "invalid_input")
    bad_name = (b"--xyz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\xff.txt\"\r\n\r\n"
                b"hello\r\n--xyz--\r\n")
    assert_error(owner.post(API, data=bad_name, headers=h), 400, "invalid_input")
    assert_error(owner.post(API, data=b"", headers=h), 400, "invalid_input")
    assert_error(upload(owner, b"hello", "a.txt", csrf=False), 403, "csrf")
    assert_error(requests.post(server.url(API), files={"file": ("a.txt", b"hello", "text/plain")}),
                 401, "unauthenticated")
    # without any credential the upload limit does not apply: a body over the ordinary 1 MiB
    # is refused by its Content-Length, before it is read (no megabytes read for a 401)
    big = b"x" * (2 << 20)
    assert_error(requests.post(server.url(API), files={"file": ("big.bin", big, "application/octet-stream")}),
                 413, "too_large")
    assert upload(owner, big, "big.bin").status_code == 201   # a member may send as much
    assert count_uploads(cluster) == before + 1


def test_serving_checks_the_name(server, owner):
    u = uploaded(owner, b"plain words\n", "w.txt")
    base = u["url"].rsplit(".", 1)[0]
    for path in (base + ".png", base + ".txt.html", base.upper() + ".txt", "/uploads/../etc/passwd",
                 "/uploads/" + "0" * 64 + ".txt"):
        assert owner.get(path).status_code == 404, path
    assert owner.get(u["url"], headers={"If-None-Match": '"%s"' % u["hash"]}).status_code == 304


# --- who sees an upload ---

def test_public_through_a_visible_post_and_gone_with_it(server, cluster, owner, moderator):
    u = uploaded(owner, b"notes for the thread\n", "notes.txt")
    anon = lambda: requests.get(server.url(u["url"])).status_code
    stranger = make_user(server, cluster)
    assert anon() == 404 and stranger.get(u["url"]).status_code == 404
    assert owner.get(u["url"]).status_code == 200 and moderator.get(u["url"]).status_code == 200
    t = new_thread(owner)
    p = reply(owner, t["id"], "See " + u["markdown"])
    assert cluster.sql("SELECT hash FROM post_uploads WHERE post_id = %s", (p["id"],)) == [(u["hash"],)]
    r = requests.get(server.url(u["url"]))
    assert r.status_code == 200 and "immutable" in r.headers["Cache-Control"]
    assert moderator.post("/api/v1/posts/%d/hide" % p["id"], json={"reason": "r"}).status_code == 200
    assert anon() == 404 and stranger.get(u["url"]).status_code == 404
    assert owner.get(u["url"]).status_code == 200 and moderator.get(u["url"]).status_code == 200
    assert moderator.post("/api/v1/posts/%d/unhide" % p["id"], json={}).status_code == 200
    assert anon() == 200
    # an edit that drops the link unlinks it
    assert owner.patch("/api/v1/posts/%d" % p["id"], json={"body": "No file any more"}).status_code == 200
    assert cluster.sql("SELECT count(*) FROM post_uploads WHERE post_id = %s", (p["id"],))[0][0] == 0
    assert anon() == 404


def test_erased_account_keeps_linked_uploads_only(server, cluster):
    leaving = make_user(server, cluster)
    linked = uploaded(leaving, b"linked file\n", "l.txt")
    lonely = uploaded(leaving, b"never posted\n", "n.txt")
    t = new_thread(leaving, body="Here: " + linked["markdown"])
    # before leaving, the export lists both files (once each, even sent twice), nobody else's
    uploaded(leaving, b"never posted\n", "again.txt")
    other = uploaded(make_user(server, cluster), b"someone else's\n", "o.txt")
    mine = leaving.get("/api/v1/me/export").json()["uploads"]
    assert sorted(u["url"] for u in mine) == sorted([linked["url"], lonely["url"]])
    assert all(u["kind"] == "text" and u["bytes"] > 0 and u["uploaded_at"] for u in mine)
    assert other["url"] not in {u["url"] for u in mine}
    assert leaving.delete("/api/v1/me", json={"password": leaving.password}).status_code in (200, 204)
    hashes = {h for (h,) in cluster.sql("SELECT hash FROM uploads WHERE hash IN (%s, %s)",
                                        (linked["hash"], lonely["hash"]))}
    assert hashes == {linked["hash"]}
    assert requests.get(server.url(linked["url"])).status_code == 200
    assert t["id"]


# --- the form without JS ---

def test_reply_form_attaches_the_file_without_js(server, cluster, owner):
    t = new_thread(owner)
    r = owner.post("/t/%d/reply" % t["id"], csrf=False, data={"csrf": owner.csrf, "body": "Look at this"},
                   files={"file": ("shot.png", png(30, 20), "image/png")})
    assert r.status_code == 303, r.text[:500]
    body = cluster.sql("SELECT body FROM posts WHERE thread_id = %s ORDER BY id DESC LIMIT 1", (t["id"],))[0][0]
    m = re.fullmatch(r"Look at this\n\n!\[shot\.png\]\((/uploads/[0-9a-f]{64}\.jpg)\)", body)
    assert m, body
    page = requests.get(server.url("/t/%d" % t["id"])).text
    assert '<img src="%s"' % m.group(1) in page
    assert requests.get(server.url(m.group(1))).status_code == 200
    # an empty file input changes nothing; a refused file re-shows the form with the error
    r = owner.post("/t/%d/reply" % t["id"], csrf=False, data={"csrf": owner.csrf, "body": "Only words"},
                   files={"file": ("", b"", "application/octet-stream")})
    assert r.status_code == 303
    r = owner.post("/t/%d/reply" % t["id"], csrf=False, data={"csrf": owner.csrf, "body": "Bad file"},
                   files={"file": ("x.png", b"<html>", "image/png")})
    assert r.status_code == 415 and "Bad file" in r.text and "named as an image" in r.text
    r = owner.post("/t/%d/reply" % t["id"], csrf=False, data={"body": "No token"},
                   files={"file": ("x.txt", b"hi", "text/plain")})
    assert r.status_code == 403


def test_new_thread_form_attaches_the_file(server, cluster, owner):
    r = owner.post("/new", csrf=False, data={"csrf": owner.csrf, "category": "general", "title": "With a file",
                                             "body": ""},
                   files={"file": ("data.csv", b"a,b\n1,2\n", "text/csv")})
    assert r.status_code == 303, r.text[:500]
    tid = int(re.search(r"/t/(\d+)", r.headers["Location"]).group(1))
    body = cluster.sql("SELECT body FROM posts WHERE thread_id = %s", (tid,))[0][0]
    assert re.fullmatch(r"\[data\.csv\]\(/uploads/[0-9a-f]{64}\.csv\)", body), body
    # a preview stores the file too and shows the form again with its link in the text
    r = owner.post("/new", csrf=False, data={"csrf": owner.csrf, "category": "general", "title": "Previewed",
                                             "body": "See", "preview": "1"},
                   files={"file": ("p.png", png(12, 12), "image/png")})
    assert r.status_code == 200, r.text[:500]
    m = re.search(r"See\n\n!\[p\.png\]\((/uploads/[0-9a-f]{64}\.jpg)\)</textarea>", r.text)
    assert m and '<img src="%s"' % m.group(1) in r.text


# --- limits, on a server of their own ---

@pytest.fixture(scope="module")
def limited(cluster):
    s = Server(["--database", cluster.url, "--quiet", "--register-limit-ip", "1000000",
                "--upload-max-mb", "1", "--upload-daily-count", "3", "--upload-image-max-px", "64",
                "--upload-image-max-mp", "1", "--upload-kinds", "image,text"], name="uploads-limited")
    yield s
    assert s.stop() == 0, s.output()


def test_limits(cluster, limited):
    c = Client(limited).register()
    before = count_uploads(cluster)
    assert_error(upload(c, b"a" * (1024 * 1024 + 10), "big.txt"), 413, "too_large", "file")
    r = upload(c, b"a" * (3 * 1024 * 1024), "huge.txt")
    assert r.status_code == 413
    assert_error(upload(c, b"%PDF-1.4\n%%EOF\n", "a.pdf"), 415, "unsupported_media_type", "file")
    assert_error(upload(c, png(1001, 1000, idat=zlib.compress(b"\x00" * 64)), "mp.png"), 400, "invalid_input", "file")
    assert count_uploads(cluster) == before
    u = uploaded(c, png(200, 100), "wide.png")
    assert (u["width"], u["height"]) == (64, 32)
    uploaded(c, b"two\n", "2.txt")
    uploaded(c, b"three\n", "3.txt")
    r = upload(c, b"four\n", "4.txt")
    assert_error(r, 429, "rate_limited", "file")
    assert r.headers.get("Retry-After")
    assert cluster.sql("SELECT count(*) FROM upload_events WHERE user_id = %s", (c.user["id"],))[0][0] == 3


def test_an_animation_shrinks_frame_by_frame_and_fits_the_pixel_limit_in_all(limited):
    c = Client(limited).register()
    u = uploaded(c, gif(128, 16, [0, 1]), "wide.gif")
    assert u["url"].endswith(".gif") and (u["width"], u["height"]) == (64, 8)
    assert gif_frames(c.get(u["url"]).content)[0] == 2
    # 360,000 pixels a frame is within --upload-image-max-mp 1; three frames are not: the first
    u = uploaded(c, gif(600, 600, [0, 1, 2]), "big.gif")
    assert u["url"].endswith(".jpg") and (u["width"], u["height"]) == (64, 64)


def test_the_daily_limit_holds_under_parallel_uploads(cluster, limited):
    c = Client(limited).register()
    with ThreadPoolExecutor(6) as pool:
        codes = sorted(pool.map(lambda i: upload(c, b"parallel %d\n" % i, "p.txt").status_code, range(6)))
    assert codes == [201, 201, 201, 429, 429, 429]
    assert cluster.sql("SELECT count(*) FROM upload_events WHERE user_id = %s", (c.user["id"],))[0][0] == 3


def test_maintenance_deletes_old_uploads_no_post_links_to(server, cluster, owner):
    def old_upload(text):
        h = uploaded(owner, text, "old.txt")["hash"]
        cluster.sql("UPDATE uploads SET created_at = now() - interval '2 hours' WHERE hash = %s", (h,))
        cluster.sql("UPDATE upload_events SET created_at = now() - interval '2 hours' WHERE hash = %s", (h,))
        return h
    lonely, linked, again = old_upload(b"old lonely\n"), old_upload(b"old linked\n"), old_upload(b"old again\n")
    new_thread(owner, body="Linked: /uploads/%s.txt" % linked)
    uploaded(owner, b"old again\n", "again.txt")   # uploaded again just now: a fresh draft
    # a server's maintenance thread runs its first round at start
    s = Server(["--database", cluster.url, "--quiet", "--upload-draft-hours", "1"], name="uploads-maint")
    try:
        for _ in range(50):
            left = {h for (h,) in cluster.sql("SELECT hash FROM uploads WHERE hash IN (%s, %s, %s)",
                                              (lonely, linked, again))}
            if lonely not in left:
                break
            time.sleep(0.1)
    finally:
        assert s.stop() == 0
    assert left == {linked, again}
