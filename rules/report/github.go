package report

import (
	"bufio"
	"io"
	"strconv"
	"strings"

	"github.com/plancheck/plancheck/rules"
)

// GitHub writes one GitHub Actions workflow command per finding, which the
// runner turns into an annotation:
//
//	::error file=layers/land-use.geojson,line=42,title=construction-on-basic-farmland::changsha-master#R-12 × land-use#F-3 (1234.50 m²) 建设用地占用基本农田 / …
//
// Errors become ::error, warnings ::warning and info ::notice. file and line
// are left out when the finding has none. Values are cleaned of control
// characters, then escaped as the runner expects: % CR LF in the message,
// and also : and , in the properties.
func GitHub(w io.Writer, r *rules.Result) error {
	if r == nil {
		return ErrNilResult
	}
	b := bufio.NewWriter(w)
	for _, f := range sortedFindings(r) {
		var props []string
		if f.Location.File != "" {
			props = append(props, "file="+escapeProperty(clean(strings.ReplaceAll(f.Location.File, `\`, "/"))))
			if f.Location.Line > 0 {
				props = append(props, "line="+strconv.Itoa(f.Location.Line))
			}
		}
		props = append(props, "title="+escapeProperty(clean(f.Rule)))
		var msg []string
		if s := clean(f.Subject()); s != "" {
			msg = append(msg, s)
		}
		if m := measure(f); m != "-" {
			msg = append(msg, "("+m+")")
		}
		if m := clean(message(f)); m != "" {
			msg = append(msg, m)
		}
		b.WriteString("::" + githubCommand(f.Severity) + " " + strings.Join(props, ",") + "::" + escapeData(strings.Join(msg, " ")) + "\n")
	}
	return b.Flush()
}

func githubCommand(s rules.Severity) string {
	switch {
	case s >= rules.Error:
		return "error"
	case s == rules.Warning:
		return "warning"
	}
	return "notice"
}

// escapeData escapes a workflow command's message as the Actions runner
// (and @actions/core toCommandValue) does: % CR LF.
var escapeData = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace

// escapeProperty escapes a workflow command property value: % CR LF : ,.
var escapeProperty = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace
