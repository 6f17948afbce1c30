package report

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// clean makes a user-provided string (layer name, feature id, class code,
// message, file name) safe to show in a terminal, a CI log or a page:
//
//   - terminal escape sequences are removed whole: CSI (ESC [ … final, or
//     U+009B), OSC/DCS/SOS/PM/APC strings (ESC ] … BEL or ESC \) and other
//     ESC sequences;
//   - the other C0 and C1 control characters, DEL and the bidirectional
//     formatting characters (U+200E/F, U+061C, U+202A–U+202E,
//     U+2066–U+2069, "Trojan Source") and the non-characters U+FFFE and
//     U+FFFF (not allowed in XML) are dropped;
//   - tab, line feed, carriage return, vertical tab and form feed become
//     one space each (CR LF becomes one space);
//   - invalid UTF-8 becomes U+FFFD.
//
// Every human-facing writer (text, GitHub, JUnit, Markdown, HTML) uses it.
func clean(s string) string {
	if printableASCII(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteRune(utf8.RuneError)
			i++
		case r == 0x1b:
			i = skipEscape(s, i+1)
		case r == 0x9b: // C1 CSI
			i = skipCSI(s, i+size)
		case r == 0x90 || r == 0x98 || r == 0x9d || r == 0x9e || r == 0x9f: // C1 DCS, SOS, OSC, PM, APC
			i = skipString(s, i+size)
		case r == '\r' && strings.HasPrefix(s[i+1:], "\n"):
			b.WriteByte(' ')
			i += 2
		case r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f':
			b.WriteByte(' ')
			i++
		case r < 0x20 || (r >= 0x7f && r <= 0x9f) || bidi(r) || r == 0xfffe || r == 0xffff:
			i += size
		default:
			b.WriteString(s[i : i+size])
			i += size
		}
	}
	return b.String()
}

// inertJSON escapes, in encoded JSON, the characters encoding/json leaves
// raw that terminals and editors act on: the C1 controls U+0080–U+009F
// (U+009B is CSI) and the bidirectional formatting characters clean
// drops. They occur only inside JSON strings, where \uXXXX is the same
// character, so the values do not change.
var inertJSON = func() *strings.Replacer {
	var pairs []string
	add := func(r rune) { pairs = append(pairs, string(r), fmt.Sprintf(`\u%04x`, r)) }
	for r := rune(0x80); r <= 0x9f; r++ {
		add(r)
	}
	for _, r := range []rune{0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069} {
		add(r)
	}
	return strings.NewReplacer(pairs...)
}()

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

func bidi(r rune) bool {
	return r == 0x061c || r == 0x200e || r == 0x200f ||
		(r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}

// skipEscape returns the index just past the escape sequence whose ESC
// ended at i.
func skipEscape(s string, i int) int {
	if i >= len(s) {
		return i
	}
	switch s[i] {
	case '[':
		return skipCSI(s, i+1)
	case ']', 'P', 'X', '^', '_':
		return skipString(s, i+1)
	}
	// nF sequences: intermediate bytes 0x20–0x2F, then one final byte.
	for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
		i++
	}
	if i < len(s) && s[i] >= 0x30 && s[i] <= 0x7e {
		i++
	}
	return i
}

// skipCSI skips parameter and intermediate bytes (0x20–0x3F) and the final
// byte (0x40–0x7E) of a control sequence starting at i. A malformed
// sequence ends at the first byte outside those ranges, which is kept.
func skipCSI(s string, i int) int {
	for i < len(s) && s[i] >= 0x20 && s[i] <= 0x3f {
		i++
	}
	if i < len(s) && s[i] >= 0x40 && s[i] <= 0x7e {
		i++
	}
	return i
}

// skipString skips a control string starting at i up to and including its
// terminator: BEL, ESC \ or U+009C. An unterminated string runs to the end
// of s, as a terminal would swallow it.
func skipString(s string, i int) int {
	for i < len(s) {
		switch {
		case s[i] == 0x07:
			return i + 1
		case s[i] == 0x1b:
			if i+1 < len(s) && s[i+1] == '\\' {
				return i + 2
			}
			return i // a new sequence starts; let clean handle it
		case strings.HasPrefix(s[i:], "\u009c"):
			return i + len("\u009c")
		}
		i++
	}
	return i
}
