/* JSON string escaping for hand-written output. Never parses; parsing is cJSON's, in spec/ and
 * state/. */
#include "json.h"

static size_t escape_char(unsigned char c, char out[7]) {
        switch (c) {
        case '"':
                return (size_t) snprintf(out, 7, "\\\"");
        case '\\':
                return (size_t) snprintf(out, 7, "\\\\");
        case '\n':
                return (size_t) snprintf(out, 7, "\\n");
        case '\t':
                return (size_t) snprintf(out, 7, "\\t");
        case '\r':
                return (size_t) snprintf(out, 7, "\\r");
        default:
                if (c < 0x20)
                        return (size_t) snprintf(out, 7, "\\u%04x", c);
                out[0] = (char) c;
                out[1] = 0;
                return 1;
        }
}

void json_escape(const char *s, char *buf, size_t size) {
        size_t j = 0;

        for (; *s; s++) {
                char e[7];
                size_t n = escape_char((unsigned char) *s, e);
                if (j + n + 1 > size)
                        break;
                for (size_t k = 0; k < n; k++)
                        buf[j++] = e[k];
        }
        buf[j] = 0;
}

void json_print_string(FILE *f, const char *s) {
        if (!s) {
                fputs("null", f);
                return;
        }
        fputc('"', f);
        for (; *s; s++) {
                char e[7];
                (void) escape_char((unsigned char) *s, e);
                fputs(e, f);
        }
        fputc('"', f);
}
