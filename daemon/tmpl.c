/*
 * tmpl: a Mustache subset over jansson values (see tmpl.h for the syntax).
 *
 * DESIGN. A template is parsed once into a tree of nodes: text, variable,
 * section, inverted section, partial. Names are split into their dotted
 * parts at parse time and partials are resolved to an index into the set
 * after every file is parsed, so an unknown partial is a load error and
 * rendering never fails. Rendering walks the tree with a stack of
 * borrowed contexts; lookups search it from the top down.
 *
 * Tags that stand alone on their line (sections, inverted sections,
 * closing tags, comments, partials) take the whole line with them, as in
 * Mustache, so templates can be laid out readably and mail text does not
 * fill with blank lines.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "tmpl.h"
#include "xmalloc.h"

#define TMPL_FILE_MAX (1024 * 1024) /* bytes per template file */
#define TMPL_NEST_MAX 64 /* sections inside sections */
#define TMPL_PARTIAL_MAX 32 /* partials inside partials */

enum node_type {
	NODE_TEXT,
	NODE_VAR,
	NODE_SECTION,
	NODE_INVERTED,
	NODE_PARTIAL,
};

struct name {
	char **parts; /* n == 0: "." (the current item) */
	size_t n;
};

struct nodes {
	struct node *v;
	size_t n;
	size_t cap;
};

struct node {
	enum node_type type;
	char *text; /* NODE_TEXT bytes; else the tag name */
	size_t len;
	struct name name; /* NODE_VAR and sections */
	int line; /* NODE_PARTIAL, for errors */
	size_t partial; /* NODE_PARTIAL: index in the set */
	struct nodes body; /* sections */
};

struct tmpl {
	char *name; /* "form" for form.html */
	char *file; /* as named in errors */
	struct nodes body;
};

struct tmpl_set {
	struct tmpl *t;
	size_t n;
};

struct parser {
	const char *file;
	const char *start;
	const char *p; /* next byte to read */
	const char *end;
	int line; /* line number at p */
	int depth;
	char **cause;
};

/* The tag being closed, for parse_nodes to match against. */
struct open_tag {
	const char *name;
	char sigil;
	int line;
};

struct render {
	const struct tmpl_set *set;
	json_t **stack; /* borrowed */
	size_t depth;
	size_t cap;
	int partials;
	struct buf out;
};

static void nodes_free(struct nodes *);

static struct node *
nodes_add(struct nodes *l, enum node_type type)
{
	struct node *n;

	if (l->n == l->cap) {
		l->cap = l->cap == 0 ? 8 : l->cap * 2;
		l->v = xreallocarray(l->v, l->cap, sizeof(*l->v));
	}
	n = &l->v[l->n++];
	memset(n, 0, sizeof(*n));
	n->type = type;
	return n;
}

static void
name_free(struct name *nm)
{
	size_t i;

	for (i = 0; i < nm->n; i++)
		free(nm->parts[i]);
	free(nm->parts);
}

static void
nodes_free(struct nodes *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].text);
		name_free(&l->v[i].name);
		nodes_free(&l->v[i].body);
	}
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

static int
count_lines(const char *from, const char *to)
{
	int n = 0;

	for (; from < to; from++)
		if (*from == '\n')
			n++;
	return n;
}

static int parse_fail(struct parser *, int, const char *, ...)
    __attribute__((format(printf, 3, 4)));

/* Set *cause to "FILE:LINE: message"; returns -1. */
static int
parse_fail(struct parser *ps, int line, const char *fmt, ...)
{
	va_list ap;
	char msg[512];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	free(*ps->cause);
	xasprintf(ps->cause, "%s:%d: %s", ps->file, line, msg);
	return -1;
}

static int
name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/*
 * Split "a.b.c" into parts; "." alone is the current item. Returns 0, or
 * -1 if a part is empty or has a character outside [A-Za-z0-9_-].
 */
static int
name_parse(const char *s, struct name *nm)
{
	const char *p, *q;

	memset(nm, 0, sizeof(*nm));
	if (strcmp(s, ".") == 0)
		return 0;
	for (p = s;; p = q + 1) {
		for (q = p; name_char(*q); q++)
			;
		if (q == p || (*q != '.' && *q != '\0'))
			goto fail;
		nm->parts =
		    xreallocarray(nm->parts, nm->n + 1, sizeof(*nm->parts));
		nm->parts[nm->n++] = xstrndup(p, (size_t)(q - p));
		if (*q == '\0')
			return 0;
	}
fail:
	name_free(nm);
	memset(nm, 0, sizeof(*nm));
	return -1;
}

static void
add_text(struct nodes *l, const char *s, size_t len)
{
	struct node *n;

	if (len == 0)
		return;
	/* Copied by length: a stray NUL in a file must not cut it short. */
	n = nodes_add(l, NODE_TEXT);
	n->text = xmalloc(len + 1);
	memcpy(n->text, s, len);
	n->text[len] = '\0';
	n->len = len;
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/*
 * Parse nodes into `l` until the end of the text (open == NULL) or the
 * tag closing `open`. Returns 0 or -1 with *ps->cause set.
 */
static int
parse_nodes(struct parser *ps, struct nodes *l, const struct open_tag *open)
{
	const char *tag, *close, *a, *b, *left, *right;
	char *name = NULL;
	char sigil;
	int line, standalone;
	struct node *n;
	struct open_tag sub;

	if (++ps->depth > TMPL_NEST_MAX)
		return parse_fail(ps, ps->line,
		    "sections nested deeper than %d", TMPL_NEST_MAX);
	for (;;) {
		tag = memmem(ps->p, (size_t)(ps->end - ps->p), "{{", 2);
		if (tag == NULL) {
			add_text(l, ps->p, (size_t)(ps->end - ps->p));
			ps->line += count_lines(ps->p, ps->end);
			ps->p = ps->end;
			if (open != NULL)
				return parse_fail(ps, open->line,
				    "section \"%s\" is not closed", open->name);
			ps->depth--;
			return 0;
		}
		line = ps->line + count_lines(ps->p, tag);
		close = memmem(tag + 2, (size_t)(ps->end - tag - 2), "}}", 2);
		if (close == NULL)
			return parse_fail(ps, line,
			    "unterminated tag (no \"}}\" after \"{{\")");
		sigil = tag[2];
		a = tag + 2;
		if (sigil != '\0' && strchr("#^/!>{&=", sigil) != NULL)
			a++;
		b = close;

		/* A tag other than a variable may own its whole line. */
		standalone = 0;
		left = tag;
		right = close + 2;
		if (sigil != '\0' && strchr("#^/!>", sigil) != NULL) {
			while (left > ps->p &&
			    (left[-1] == ' ' || left[-1] == '\t'))
				left--;
			while (right < ps->end && is_blank(*right))
				right++;
			standalone = (left > ps->p ? left[-1] == '\n'
						   : (ps->p == ps->start ||
							 ps->p[-1] == '\n')) &&
			    (right == ps->end || *right == '\n');
			if (right < ps->end)
				right++;
		}
		if (!standalone) {
			left = tag;
			right = close + 2;
		}
		add_text(l, ps->p, (size_t)(left - ps->p));
		ps->line += count_lines(ps->p, right);
		ps->p = right;

		if (sigil == '!')
			continue;
		if (sigil == '{' || sigil == '&')
			return parse_fail(ps, line,
			    "unescaped output (\"{{%c\") is not supported",
			    sigil);
		if (sigil == '=')
			return parse_fail(
			    ps, line, "changing delimiters is not supported");
		while (a < b && (*a == ' ' || *a == '\t'))
			a++;
		while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
			b--;
		free(name);
		name = xstrndup(a, (size_t)(b - a));
		if (*name == '\0') {
			parse_fail(ps, line, "empty tag");
			goto fail;
		}

		switch (sigil) {
		case '/':
			if (open == NULL)
				goto stray_close;
			if (strcmp(name, open->name) != 0) {
				parse_fail(ps, line,
				    "{{/%s}} does not close "
				    "{{%c%s}} of line %d",
				    name, open->sigil, open->name, open->line);
				goto fail;
			}
			free(name);
			ps->depth--;
			return 0;
		case '>':
			n = nodes_add(l, NODE_PARTIAL);
			n->text = name;
			n->line = line;
			name = NULL;
			break;
		case '#':
		case '^':
			n = nodes_add(
			    l, sigil == '#' ? NODE_SECTION : NODE_INVERTED);
			if (name_parse(name, &n->name) == -1)
				goto bad_name;
			n->text = name;
			name = NULL;
			sub.name = n->text;
			sub.sigil = sigil;
			sub.line = line;
			if (parse_nodes(ps, &n->body, &sub) == -1)
				goto fail;
			break;
		default:
			n = nodes_add(l, NODE_VAR);
			if (name_parse(name, &n->name) == -1)
				goto bad_name;
			n->text = name;
			name = NULL;
			break;
		}
	}

stray_close:
	parse_fail(ps, line, "{{/%s}} closes no section", name);
	goto fail;
bad_name:
	parse_fail(ps, line,
	    "bad name \"%s\" (letters, digits, _ and -, "
	    "parts separated by dots)",
	    name);
fail:
	free(name);
	return -1;
}

static void
tmpl_clear(struct tmpl *t)
{
	free(t->name);
	free(t->file);
	nodes_free(&t->body);
}

void
tmpl_set_free(struct tmpl_set *set)
{
	size_t i;

	if (set == NULL)
		return;
	for (i = 0; i < set->n; i++)
		tmpl_clear(&set->t[i]);
	free(set->t);
	free(set);
}

/* The index of template `name`, or -1. "form.html" also finds "form". */
static long
tmpl_find(const struct tmpl_set *set, const char *name)
{
	size_t i, len = strlen(name);

	for (i = 0; i < set->n; i++)
		if (strcmp(set->t[i].name, name) == 0)
			return (long)i;
	if (len > 5 && strcmp(name + len - 5, ".html") == 0)
		for (i = 0; i < set->n; i++)
			if (strncmp(set->t[i].name, name, len - 5) == 0 &&
			    set->t[i].name[len - 5] == '\0')
				return (long)i;
	return -1;
}

int
tmpl_has(const struct tmpl_set *set, const char *name)
{
	return tmpl_find(set, name) != -1;
}

static int
resolve(const struct tmpl_set *set, const struct tmpl *t, struct nodes *l,
    char **cause)
{
	size_t i;
	long idx;

	for (i = 0; i < l->n; i++) {
		struct node *n = &l->v[i];

		if (n->type == NODE_PARTIAL) {
			if ((idx = tmpl_find(set, n->text)) == -1) {
				free(*cause);
				xasprintf(cause,
				    "%s:%d: unknown partial \"%s\"", t->file,
				    n->line, n->text);
				return -1;
			}
			n->partial = (size_t)idx;
		}
		if (resolve(set, t, &n->body, cause) == -1)
			return -1;
	}
	return 0;
}

/* Parse `text` as template `name` and append it to the set. */
static int
set_add(struct tmpl_set *set, const char *name, const char *file,
    const char *text, size_t len, char **cause)
{
	struct parser ps;
	struct tmpl *t;

	if (tmpl_find(set, name) != -1) {
		xasprintf(
		    cause, "%s: a second template named \"%s\"", file, name);
		return -1;
	}
	set->t = xreallocarray(set->t, set->n + 1, sizeof(*set->t));
	t = &set->t[set->n++];
	memset(t, 0, sizeof(*t));
	t->name = xstrdup(name);
	t->file = xstrdup(file);

	memset(&ps, 0, sizeof(ps));
	ps.file = file;
	ps.start = ps.p = text;
	ps.end = text + len;
	ps.line = 1;
	ps.cause = cause;
	return parse_nodes(&ps, &t->body, NULL);
}

static int
set_resolve(struct tmpl_set *set, char **cause)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		if (resolve(set, &set->t[i], &set->t[i].body, cause) == -1)
			return -1;
	return 0;
}

/*
 * Parse one template from memory. Returns a new set owned by the caller
 * (tmpl_set_free), or NULL with *cause (owned by the caller).
 */
struct tmpl_set *
tmpl_set_parse(const char *name, const char *text, char **cause)
{
	struct tmpl_set *set;

	*cause = NULL;
	set = xcalloc(1, sizeof(*set));
	if (set_add(set, name, name, text, strlen(text), cause) == -1 ||
	    set_resolve(set, cause) == -1) {
		tmpl_set_free(set);
		return NULL;
	}
	return set;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Read a whole file into a new string (free(3)), or NULL with *cause. */
static char *
read_file(const char *path, size_t *len, char **cause)
{
	FILE *f;
	char *text = NULL;
	long size;

	if ((f = fopen(path, "r")) == NULL) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) == -1 || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) == -1) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		goto done;
	}
	if (size > TMPL_FILE_MAX) {
		xasprintf(
		    cause, "%s: larger than %d bytes", path, TMPL_FILE_MAX);
		goto done;
	}
	text = xmalloc((size_t)size + 1);
	if (fread(text, 1, (size_t)size, f) != (size_t)size) {
		xasprintf(cause, "%s: short read", path);
		free(text);
		text = NULL;
		goto done;
	}
	text[size] = '\0';
	*len = (size_t)size;
done:
	fclose(f);
	return text;
}

/*
 * Load every *.html and *.txt of `dir` in name order; "x.html" is named
 * "x", "x.txt" keeps its full name so a mail can have both. Returns a
 * new set owned by the caller (tmpl_set_free), or NULL with *cause
 * (owned by the caller).
 */
struct tmpl_set *
tmpl_set_load(const char *dir, char **cause)
{
	struct tmpl_set *set;
	DIR *d;
	struct dirent *de;
	struct stat st;
	char **files = NULL, *path = NULL, *text = NULL, *name;
	size_t n = 0, i, len, flen;
	int rc = -1;

	*cause = NULL;
	set = xcalloc(1, sizeof(*set));
	if ((d = opendir(dir)) == NULL) {
		xasprintf(cause, "%s: %s", dir, strerror(errno));
		goto done;
	}
	while ((de = readdir(d)) != NULL) {
		flen = strlen(de->d_name);
		if (de->d_name[0] == '.')
			continue;
		if (!(flen > 5 &&
			strcmp(de->d_name + flen - 5, ".html") == 0) &&
		    !(flen > 4 && strcmp(de->d_name + flen - 4, ".txt") == 0))
			continue;
		files = xreallocarray(files, n + 1, sizeof(*files));
		files[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	qsort(files, n, sizeof(*files), cmp_str);

	for (i = 0; i < n; i++) {
		free(path);
		xasprintf(&path, "%s/%s", dir, files[i]);
		if (stat(path, &st) == -1) {
			xasprintf(cause, "%s: %s", path, strerror(errno));
			goto done;
		}
		if (!S_ISREG(st.st_mode))
			continue;
		free(text);
		if ((text = read_file(path, &len, cause)) == NULL)
			goto done;
		name = files[i];
		flen = strlen(name);
		if (strcmp(name + flen - 5, ".html") == 0)
			name[flen - 5] = '\0';
		if (set_add(set, name, path, text, len, cause) == -1)
			goto done;
	}
	if (set_resolve(set, cause) == -1)
		goto done;
	rc = 0;
done:
	for (i = 0; i < n; i++)
		free(files[i]);
	free(files);
	free(path);
	free(text);
	if (rc == -1) {
		tmpl_set_free(set);
		return NULL;
	}
	return set;
}

static void
push(struct render *r, json_t *v)
{
	if (r->depth == r->cap) {
		r->cap = r->cap == 0 ? 16 : r->cap * 2;
		r->stack = xreallocarray(r->stack, r->cap, sizeof(*r->stack));
	}
	r->stack[r->depth++] = v;
}

/* Borrowed value of a name, or NULL when it is missing anywhere. */
static json_t *
lookup(const struct render *r, const struct name *nm)
{
	json_t *v = NULL;
	size_t i;

	if (nm->n == 0)
		return r->depth > 0 ? r->stack[r->depth - 1] : NULL;
	for (i = r->depth; i > 0; i--) {
		if (json_is_object(r->stack[i - 1]) &&
		    (v = json_object_get(r->stack[i - 1], nm->parts[0])) !=
			NULL)
			break;
	}
	/* Later parts are looked up inside the first only, as in Mustache. */
	for (i = 1; v != NULL && i < nm->n; i++)
		v = json_object_get(v, nm->parts[i]);
	return v;
}

static int
truthy(json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
	case JSON_TRUE: return 1;
	case JSON_ARRAY: return json_array_size(v) > 0;
	case JSON_STRING: return json_string_length(v) > 0;
	case JSON_INTEGER: return json_integer_value(v) != 0;
	case JSON_REAL: return json_real_value(v) != 0.0;
	default: return 0;
	}
}

/*
 * A real as JSON, in the fewest digits that read back as the same
 * double: 1.67 stays "1.67" where "%.17g" would give 1.6699999999999999.
 * Integral values keep a ".0", as jansson writes them.
 */
static void
put_real(struct buf *b, double d)
{
	char s[40];
	int prec;

	for (prec = 1; prec <= 17; prec++) {
		snprintf(s, sizeof(s), "%.*g", prec, d);
		if (strtod(s, NULL) == d)
			break;
	}
	if (strpbrk(s, ".eEn") == NULL)
		strcat(s, ".0");
	buf_puts(b, s);
}

static void
render_nodes(struct render *r, const struct nodes *l)
{
	const struct node *n;
	json_t *v, *item;
	size_t i, j;

	for (i = 0; i < l->n; i++) {
		n = &l->v[i];
		switch (n->type) {
		case NODE_TEXT: buf_append(&r->out, n->text, n->len); break;
		case NODE_VAR:
			v = lookup(r, &n->name);
			if (json_is_string(v))
				buf_html(&r->out, json_string_value(v));
			else if (json_is_integer(v))
				buf_printf(&r->out, "%" JSON_INTEGER_FORMAT,
				    json_integer_value(v));
			else if (json_is_real(v))
				put_real(&r->out, json_real_value(v));
			else if (json_is_true(v))
				buf_puts(&r->out, "true");
			break;
		case NODE_SECTION:
			v = lookup(r, &n->name);
			if (json_is_array(v)) {
				json_array_foreach(v, j, item)
				{
					push(r, item);
					render_nodes(r, &n->body);
					r->depth--;
				}
			} else if (v != NULL && truthy(v)) {
				push(r, v);
				render_nodes(r, &n->body);
				r->depth--;
			}
			break;
		case NODE_INVERTED:
			v = lookup(r, &n->name);
			if (v == NULL || !truthy(v))
				render_nodes(r, &n->body);
			break;
		case NODE_PARTIAL:
			/* Recursive partials end with their data, or here. */
			if (r->partials >= TMPL_PARTIAL_MAX)
				break;
			r->partials++;
			render_nodes(r, &r->set->t[n->partial].body);
			r->partials--;
			break;
		}
	}
}

/*
 * Render `name` with ctx (borrowed). Returns a new string owned by the
 * caller (free(3)), or NULL if the set has no such template.
 */
char *
tmpl_render(
    const struct tmpl_set *set, const char *name, json_t *ctx, size_t *len)
{
	struct render r;
	long idx;

	if ((idx = tmpl_find(set, name)) == -1)
		return NULL;
	memset(&r, 0, sizeof(r));
	r.set = set;
	if (ctx != NULL)
		push(&r, ctx);
	render_nodes(&r, &set->t[idx].body);
	free(r.stack);
	return buf_take(&r.out, len);
}
