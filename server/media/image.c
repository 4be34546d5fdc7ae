/* media/image.c — see media.h: images through libvips. The bytes are only ever handed
 * to the loader of the type sniffed (libvips' own guess must agree), its header is read
 * without decoding and checked against the pixel limit, then the image is decoded once,
 * shrunk, autorotated and saved again with every metadata block stripped (EXIF with its
 * GPS position, XMP, IPTC, comments, ICC profiles after conversion to sRGB). An animated
 * GIF within the limits stays an animated GIF; other images become PNG or JPEG. */
#include "media/media.h"

#include <string.h>
#include <vips/vips.h>

#include "core/log.h"

int
media_init(void)
{
	if (VIPS_INIT("corral") != 0) {
		log_error("media: libvips failed to start: %s", vips_error_buffer());
		return -1;
	}
	/* One request's image is worked on by one thread: the HTTP pool is the parallelism.
	 * Nothing is kept between requests: no operation cache. Loaders libvips itself marks
	 * untrusted (ImageMagick, matlab…) are off, though only four types ever reach it. */
	vips_concurrency_set(1);
	vips_cache_set_max(0);
	vips_cache_set_max_mem(0);
	vips_block_untrusted_set(TRUE);
	return 0;
}

static const char *
media_loader_prefix(enum media_type t)
{
	switch (t) {
	case MEDIA_JPEG: return "jpegload";
	case MEDIA_PNG: return "pngload";
	case MEDIA_GIF: return "gifload";
	case MEDIA_WEBP: return "webpload";
	default: return NULL;
	}
}

/* What the header says: the size of a frame and how many there are (1 but for animations). */
struct media_head {
	int64_t width, height;
	int frames;
};

/* The header alone (libvips loads lazily): refuse before decoding when the declared
 * size is over the limit. */
static enum media_image_err
media_image_check_header(const unsigned char *data, size_t len, const struct media_limits *lim,
			 struct media_head *ret)
{
	VipsImage *head = vips_image_new_from_buffer(data, len, "", "access", VIPS_ACCESS_SEQUENTIAL,
						     "fail_on", VIPS_FAIL_ON_ERROR, NULL);

	if (head == NULL)
		return MEDIA_IMAGE_CORRUPT;
	ret->width = vips_image_get_width(head);
	ret->height = vips_image_get_height(head);
	ret->frames = vips_image_get_n_pages(head);
	g_object_unref(head);
	if (ret->width <= 0 || ret->height <= 0)
		return MEDIA_IMAGE_CORRUPT;
	if (ret->width * ret->height > lim->max_pixels)
		return MEDIA_IMAGE_BOMB;
	return MEDIA_IMAGE_OK;
}

/* Whether an animated GIF is kept moving: every frame is decoded at once (libvips holds
 * the animation as one image of the frames stacked), so all of them together must fit the
 * pixel limit a still image has, and at most MEDIA_GIF_MAX_FRAMES; beyond, the first frame
 * is kept, as for any GIF when this libvips cannot write GIFs (built without cgif). */
static bool
media_image_animate(enum media_type t, const struct media_head *h, const struct media_limits *lim)
{
	return t == MEDIA_GIF && h->frames >= 2 && h->frames <= MEDIA_GIF_MAX_FRAMES &&
	       h->width * h->height * h->frames <= lim->max_pixels &&
	       vips_type_find("VipsOperation", "gifsave_buffer") != 0;
}

static enum media_image_err
media_image_save(VipsImage *img, bool animated, struct media_image *ret)
{
	void *out = NULL;
	size_t n = 0;
	int rc;

	if (animated) {
		/* The frames' delays and loop count are the image's own fields, kept; strip
		 * drops the comments and any other block. */
		rc = vips_gifsave_buffer(img, &out, &n, "strip", TRUE, NULL);
		ret->ext = "gif";
		ret->type = "image/gif";
	} else if (vips_image_hasalpha(img)) {
		rc = vips_pngsave_buffer(img, &out, &n, "strip", TRUE, "compression", 6, NULL);
		ret->ext = "png";
		ret->type = "image/png";
	} else {
		rc = vips_jpegsave_buffer(img, &out, &n, "strip", TRUE, "Q", 85, "optimize_coding", TRUE, NULL);
		ret->ext = "jpg";
		ret->type = "image/jpeg";
	}
	if (rc != 0 || out == NULL || n == 0) {
		g_free(out);
		return MEDIA_IMAGE_CORRUPT;
	}
	ret->data = out;
	ret->len = n;
	ret->width = vips_image_get_width(img);
	ret->height = animated ? vips_image_get_page_height(img) : vips_image_get_height(img);
	return MEDIA_IMAGE_OK;
}

enum media_image_err
media_image_reencode(const unsigned char *data, size_t len, enum media_type t,
		     const struct media_limits *lim, struct media_image *ret)
{
	const char *want = media_loader_prefix(t), *loader;
	VipsImage *img = NULL;
	enum media_image_err e;
	struct media_head head;
	bool animated;

	memset(ret, 0, sizeof *ret);
	/* libvips answers with the loader's class name; its nickname is "pngload_buffer". */
	loader = want ? vips_foreign_find_load_buffer(data, len) : NULL;
	if (loader != NULL)
		loader = vips_nickname_find(g_type_from_name(loader));
	if (loader == NULL || strncmp(loader, want, strlen(want)) != 0) {
		vips_error_clear();
		return MEDIA_IMAGE_CORRUPT;
	}
	if ((e = media_image_check_header(data, len, lim, &head)) != MEDIA_IMAGE_OK)
		goto out;
	animated = media_image_animate(t, &head, lim);
	/* Shrink-on-load where the format allows, autorotate by EXIF, sRGB out; an animation's
	 * frames each shrink to the same box. */
	if (vips_thumbnail_buffer((void *)data, len, &img, lim->max_edge, "height", lim->max_edge,
				  "size", VIPS_SIZE_DOWN, "option_string",
				  animated ? "n=-1,fail_on=error" : "fail_on=error", NULL) != 0) {
		e = MEDIA_IMAGE_CORRUPT;
		goto out;
	}
	e = media_image_save(img, animated, ret);
out:
	if (img)
		g_object_unref(img);
	if (e != MEDIA_IMAGE_OK)
		log_debug("media: image refused: %s", vips_error_buffer());
	vips_error_clear();
	return e;
}

void
media_image_free(struct media_image *img)
{
	g_free(img->data);
	img->data = NULL;
}
