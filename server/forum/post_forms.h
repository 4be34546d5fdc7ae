/* forum/post_forms.h — the pages behind the links under each post (issue 20): replying to
 * one post, flagging it, and the moderators' hide, suspend-the-author and the admins'
 * reveal. The thread page links to these instead of carrying a form per post; each page
 * shows the post above its one form and is the page that form comes back to when it is
 * refused (the POST routes' .page). */
#ifndef CORRAL_FORUM_POST_FORMS_H
#define CORRAL_FORUM_POST_FORMS_H

#include "http/http.h"

/* GET /t/{id}/reply?to={post}: the thread's reply form under the post it answers (without
 * ?to, under nothing: a reply to the thread). */
enum herr post_forms_reply_page(struct req *r);
/* The page a refused POST /t/{id}/reply comes back to: the reply page when the form came
 * from it (its action carries ?to=), else the thread page. */
enum herr post_forms_reply_back(struct req *r);
/* GET /p/{id}/flag: members who may flag the post. */
enum herr post_forms_flag_page(struct req *r);
/* GET /p/{id}/hide: moderators, while the post is visible or waiting. */
enum herr post_forms_hide_page(struct req *r);
/* GET /p/{id}/suspend-author: moderators. */
enum herr post_forms_suspend_page(struct req *r);
/* GET /p/{id}/reveal: admins, on a post written without its author's name. */
enum herr post_forms_reveal_page(struct req *r);

#endif
