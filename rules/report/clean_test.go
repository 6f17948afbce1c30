package report

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/plancheck/plancheck/rules"
)

func TestClean(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"plain", "changsha-master#R-12", "changsha-master#R-12"},
		{"chinese", "基本农田保护区", "基本农田保护区"},
		{"line breaks", "a\nb\r\nc\rd\te", "a b c d e"},
		{"SGR colour", "\x1b[31mred\x1b[0m", "red"},
		{"CSI cursor and erase", "a\x1b[2J\x1b[1;1Hb", "ab"},
		{"C1 CSI", "a\u009b31mb", "ab"},
		{"OSC 8 hyperlink, BEL", "\x1b]8;;https://evil.example/\x07link\x1b]8;;\x07", "link"},
		{"OSC title, ST", "\x1b]0;pwned\x1b\\ok", "ok"},
		{"C1 OSC with C1 ST", "a\u009d0;t\u009cb", "ab"},
		{"unterminated OSC", "ok\x1b]0;rest", "ok"},
		{"charset designation", "a\x1b(Bb", "ab"},
		{"two-byte escape", "a\x1bcb", "ab"},
		{"lone ESC at end", "a\x1b", "a"},
		{"malformed CSI keeps text", "a\x1b[31\u4e2d", "a\u4e2d"},
		{"other C0 and DEL", "a\x00b\x07c\x08d\x7fe", "abcde"},
		{"C1 controls", "a\u0085b\u0080c", "abc"},
		{"C1 APC string", "a\u009fhidden\x1b\\b", "ab"},
		{"bidi override", "abc\u202edef\u2066g\u2069", "abcdefg"},
		{"invalid UTF-8", "a\xffb", "a\ufffdb"},
		{"noncharacter", "a\uffffb", "ab"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := clean(tc.in); got != tc.want {
				t.Errorf("clean(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func FuzzClean(f *testing.F) {
	f.Add("changsha-master#R-12")
	f.Add(hostileZH)
	f.Add("\x1b[31\x1b]0;\x9b\x1b")
	f.Fuzz(func(t *testing.T, s string) {
		c := clean(s)
		if !utf8.ValidString(c) {
			t.Fatalf("clean(%q) = %q is not valid UTF-8", s, c)
		}
		for _, r := range c {
			if r < 0x20 || (r >= 0x7f && r <= 0x9f) || bidi(r) {
				t.Fatalf("clean(%q) = %q keeps %U", s, c, r)
			}
		}
		if clean(c) != c {
			t.Fatalf("clean is not idempotent on %q", s)
		}
	})
}

func TestGitHubEscape(t *testing.T) {
	if got, want := escapeData("100% done\r\nnext: a,b"), "100%25 done%0D%0Anext: a,b"; got != want {
		t.Errorf("escapeData = %q, want %q", got, want)
	}
	if got, want := escapeProperty("dir,x/a:b%\n"), "dir%2Cx/a%3Ab%25%0A"; got != want {
		t.Errorf("escapeProperty = %q, want %q", got, want)
	}
}

// TestHumanFormatsAreClean checks that no writer meant for a terminal, a CI
// log or a browser passes control characters or markup from user text on.
func TestHumanFormatsAreClean(t *testing.T) {
	for _, f := range formats {
		switch f.name {
		case "json", "sarif", "geojson":
			continue // machine formats: JSON escapes control characters as \u00XX
		}
		t.Run(f.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := f.write(&buf, changsha()); err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			for _, r := range out {
				if (r < 0x20 && r != '\n') || (r >= 0x7f && r <= 0x9f) || bidi(r) {
					t.Fatalf("output has control character %U", r)
				}
			}
			if !strings.Contains(out, "第二行红链接反转") {
				t.Error("the cleaned hostile message is missing")
			}
			if f.name != "text" && f.name != "github" && strings.Contains(out, hostileMessage) {
				t.Errorf("output has %s unescaped", hostileMessage)
			}
		})
	}
}

func TestGitHubOneLinePerFinding(t *testing.T) {
	var buf bytes.Buffer
	r := changsha()
	r.Findings[0].Location = rules.Location{File: "dir,with:odd%name.geojson", Line: 7}
	if err := GitHub(&buf, r); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != len(r.Findings) {
		t.Fatalf("%d lines for %d findings:\n%s", len(lines), len(r.Findings), buf.String())
	}
	for _, l := range lines {
		cmd, _, _ := strings.Cut(l, " ")
		switch cmd {
		case "::error", "::warning", "::notice":
		default:
			t.Errorf("line does not start with a workflow command: %q", l)
		}
		props, _, ok := strings.Cut(strings.TrimPrefix(l, cmd+" "), "::")
		if !ok {
			t.Errorf("no :: after the properties: %q", l)
		}
		if strings.Contains(props, "dir,") || strings.Contains(props, "with:") {
			t.Errorf(", or : left unescaped in properties %q", props)
		}
	}
	if !strings.Contains(buf.String(), "file=dir%2Cwith%3Aodd%25name.geojson,line=7,") {
		t.Errorf("file property not escaped as expected:\n%s", buf.String())
	}
}
