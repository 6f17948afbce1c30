package planning

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/plancheck/plancheck/geo"
	"go.yaml.in/yaml/v3"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// YAML files (manifests, rules and decisions files) are read with
// go.yaml.in/yaml/v3, whose messages give the line of the construct being
// parsed rather than of the problem, and for parser errors count it from
// 0: a tab on line 7 is reported at line 6, an unclosed '[' at the line
// before it. YAMLError finds the line itself.

var yamlLinePrefix = regexp.MustCompile(`^yaml: (?:line \d+: )?`)

// YAMLError explains why data is not YAML: the line of the problem (0
// when unknown) and the message without the decoder's "yaml: line N:"
// prefix. A file that is not UTF-8 is said so (naming GBK when it reads as
// GBK), at the line of the first bad byte.
func YAMLError(data []byte, err error) (int, string) {
	if line, msg, bad := NotUTF8Text(data); bad {
		return line, msg
	}
	msg := yamlLinePrefix.ReplaceAllString(err.Error(), "")
	line := problemLine(data, msg, yamlLine(err))
	if k := unclosedQuote(data, line); k > 0 && k < line {
		return k, fmt.Sprintf("a quoted text opened on this line is not closed, so it runs on into the lines below (the decoder stopped at line %d: %s)", line, msg)
	} else if k > 0 {
		return k, fmt.Sprintf("a quoted text opened on this line is not closed (%s)", msg)
	}
	return line, msg
}

// unclosedQuote is the first line up to line that opens a quoted text
// without closing it, when closing it there mends the document: a quote
// left open (name: "长株潭) swallows the lines after it, and the decoder
// complains only where the swallowed text ends, often many lines below.
// The quote is closed at the end of the line or, in a flow collection
// ({base: "2008, target: 2020}), before one of its , ] or }. 0 when there
// is none.
func unclosedQuote(data []byte, line int) int {
	lines := bytes.SplitAfter(data, []byte("\n"))
	if len(lines) > 2000 || len(data) > 256<<10 {
		return 0
	}
	for k := 0; k < len(lines) && k < line; k++ {
		q, start := openQuote(lines[k])
		if q == 0 {
			continue
		}
		body := bytes.TrimRight(lines[k], "\r\n")
		for at := start + 1; at <= len(body); at++ {
			if at < len(body) && !strings.ContainsRune(",]}", rune(body[at])) {
				continue
			}
			var mended []byte
			for j, l := range lines {
				if j == k {
					mended = append(append(append(mended, l[:at]...), q), l[at:]...)
					continue
				}
				mended = append(mended, l...)
			}
			var doc yaml.Node
			if yaml.Unmarshal(mended, &doc) == nil {
				return k + 1
			}
		}
	}
	return 0
}

// openQuote is the quote (" or ') a line of YAML opens as a scalar and
// leaves open at its end, and its index; 0 when it leaves none open. A quote starts a
// scalar only where one may start (after the indent, "key: ", "- ", "[",
// "{" or ","), so the apostrophe of it's does not count; a comment ends
// the line.
func openQuote(line []byte) (quote byte, at int) {
	var q byte
	prev := byte(' ') // the last character outside quotes, spaces skipped
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case q == '"' && c == '\\':
			i++
		case q == '"' && c == '"':
			q, prev = 0, c
		case q == '\'' && c == '\'':
			if i+1 < len(line) && line[i+1] == '\'' {
				i++ // '' is a quote inside
				continue
			}
			q, prev = 0, c
		case q != 0:
		case c == '#' && (i == 0 || line[i-1] == ' ' || line[i-1] == '\t'):
			return 0, 0
		case c == '"' || c == '\'':
			if strings.IndexByte(" :-[{,", prev) >= 0 {
				q, at = c, i
			} else {
				prev = c
			}
		case c != ' ' && c != '\t' && c != '\r' && c != '\n':
			prev = c
		}
	}
	if q == 0 {
		return 0, 0
	}
	return q, at
}

// NotUTF8Text says where text that should be UTF-8 is not, reusing the
// GeoJSON reader's explanation: the line, a message, and whether it is
// bad at all.
func NotUTF8Text(data []byte) (line int, msg string, bad bool) {
	off, gbk := geo.NotUTF8(data)
	if off >= len(data) {
		return 0, "", false
	}
	line = bytes.Count(data[:off], []byte("\n")) + 1
	if gbk != "" {
		// Show the whole line as GBK reads it, when it does.
		start := bytes.LastIndexByte(data[:off], '\n') + 1
		end := len(data)
		if i := bytes.IndexByte(data[off:], '\n'); i >= 0 {
			end = off + i
		}
		if end-start <= 200 {
			if text, err := simplifiedchinese.GBK.NewDecoder().Bytes(data[start:end]); err == nil && utf8.Valid(text) {
				gbk = strings.TrimRight(string(text), "\r")
			}
		}
		return line, fmt.Sprintf("text is not UTF-8; it reads as GBK: %q — re-save the file as UTF-8", gbk), true
	}
	return line, fmt.Sprintf("text is not UTF-8 (byte offset %d) — re-save the file as UTF-8", off), true
}

// problemLine is the first line at which the document, cut after that
// line, fails with the same message: where the problem shows, not where
// the construct around it began. Each cut is parsed again, so documents
// past 2000 lines or 256 KiB (no manifest or rules file is) keep the
// decoder's line.
func problemLine(data []byte, msg string, reported int) int {
	lines := bytes.SplitAfter(data, []byte("\n"))
	if len(lines) > 2000 || len(data) > 256<<10 {
		return reported
	}
	n := 0
	for k, l := range lines {
		n += len(l)
		var doc yaml.Node
		err := yaml.Unmarshal(data[:n], &doc)
		if err != nil && yamlLinePrefix.ReplaceAllString(err.Error(), "") == msg {
			return k + 1
		}
	}
	return reported
}

// yamlMessageHint adds what a common mistake means to a YAML message.
func yamlMessageHint(msg string) string {
	if strings.Contains(msg, "tab character") {
		return msg + " (YAML indents with spaces, never tabs)"
	}
	return msg
}
