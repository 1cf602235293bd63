/*
 * tmpl: logic-less templates (a Mustache subset) rendered from a JSON
 * context. Pure: the set is read from a directory once, then rendering
 * touches no files.
 *
 * Syntax: {{name}} and {{a.b}} (HTML-escaped; numbers printed as JSON,
 * true as "true", null/false/missing as nothing), {{.}} (the current
 * item), {{#name}}...{{/name}} (array: once per element with the element
 * pushed as context; object: once with it pushed; true, a non-empty
 * string or a non-zero number: once; false, null, missing, empty
 * array, "" and 0: never), {{^name}}...{{/name}} (the opposite),
 * {{! comment}}, {{>partial}} (another template of the set, by file name
 * without ".html"). There is no unescaped output: everything the
 * templates show is escaped.
 *
 * Names are looked up from the innermost context outwards.
 *
 * Callers: HTTP handlers, mail rendering.
 */
#ifndef ESTD_TMPL_H
#define ESTD_TMPL_H

#include <stddef.h>

#include <jansson.h>

struct tmpl_set;

/*
 * Load every *.html and *.txt file of `dir` and parse it. Returns a new
 * set (tmpl_set_free) or NULL with *cause naming the file, line and
 * fault (unclosed section, unknown partial, ...). "x.html" is named "x",
 * "x.txt" keeps its whole name, so a mail may have both.
 */
struct tmpl_set *tmpl_set_load(const char *dir, char **cause);
/* Parse one template from memory under `name`, into a new set. */
struct tmpl_set *tmpl_set_parse(
    const char *name, const char *text, char **cause);
void tmpl_set_free(struct tmpl_set *);
/* 1 if the set has a template of this name ("form" for form.html). */
int tmpl_has(const struct tmpl_set *, const char *name);
/*
 * Render template `name` with `ctx` (borrowed). Returns a new string
 * (free(3)) and its length, or NULL if there is no such template.
 */
char *tmpl_render(
    const struct tmpl_set *, const char *name, json_t *ctx, size_t *len);

#endif
