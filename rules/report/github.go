package report

import (
	"bufio"
	"cmp"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/plancheck/plancheck/rules"
)

// githubLimit is how many annotations of one level GitHub shows per step
// (documented: 10 error and 10 warning annotations; notices are held to
// the same number here).
const githubLimit = 10

// GitHub writes GitHub Actions workflow commands, which the runner turns
// into annotations:
//
//	::error file=fixtures/czt/layers/land-use.geojson,line=42,title=construction-on-basic-farmland::changsha-master#R-12 × land-use#F-3 (1234.50 m²) 建设用地占用基本农田 / …
//
// Errors become ::error, warnings ::warning and info ::notice. file is the
// layer file as seen from where plancheck runs (Result.SourcePath), so the
// annotation lands on the file in the repository; file and line are left
// out when the finding has none.
//
// GitHub shows at most 10 error and 10 warning annotations per step, so at
// most githubLimit findings of each level are written: the most severe
// first, then (with a baseline) new and updated before unchanged ones,
// then the largest. Absent (resolved) and waived findings get none. When
// any finding is left out, a last ::notice gives the totals and where the
// full report is.
//
// Values are cleaned of control characters, then escaped as the runner
// expects: % CR LF in the message, and also : and , in the properties.
func GitHub(w io.Writer, r *rules.Result) error {
	if r == nil {
		return ErrNilResult
	}
	fs := sortedFindings(r)
	type candidate struct {
		f    rules.Finding
		rank int // 0 new or updated (or no baseline), 1 other states
	}
	var cands []candidate
	left := 0
	for _, f := range fs {
		if rv := f.Review; rv != nil && (rv.Waived || rv.State == rules.StateAbsent) {
			left++
			continue
		}
		rank := 0
		if rv := f.Review; rv != nil && rv.State != "" && rv.State != rules.StateNew && rv.State != rules.StateUpdated {
			rank = 1
		}
		cands = append(cands, candidate{f, rank})
	}
	slices.SortStableFunc(cands, func(a, b candidate) int {
		if c := cmp.Compare(b.f.Severity, a.f.Severity); c != 0 {
			return c
		}
		if c := cmp.Compare(a.rank, b.rank); c != 0 {
			return c
		}
		return cmp.Compare(b.f.AreaM2, a.f.AreaM2)
	})
	shown := map[string]int{}
	var out []rules.Finding
	for _, c := range cands {
		cmd := githubCommand(c.f.Severity)
		if shown[cmd] >= githubLimit {
			left++
			continue
		}
		shown[cmd]++
		out = append(out, c.f)
	}
	if (left > 0 || r.Only != "") && shown["notice"] == githubLimit {
		// Keep a notice's place for the summary.
		out = slices.Delete(out, len(out)-1, len(out))
		shown["notice"]--
		left++
	}

	b := bufio.NewWriter(w)
	for _, f := range out {
		var props []string
		if f.Location.File != "" {
			props = append(props, "file="+escapeProperty(clean(strings.ReplaceAll(r.SourcePath(f.Location.File), `\`, "/"))))
			if f.Location.Line > 0 {
				props = append(props, "line="+strconv.Itoa(f.Location.Line))
			}
		}
		props = append(props, "title="+escapeProperty(clean(f.Rule)))
		var msg []string
		if rv := f.Review; rv != nil && rv.State != "" {
			msg = append(msg, "["+rv.State+"]")
		}
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
	if left > 0 || r.Only != "" {
		b.WriteString("::notice title=" + escapeProperty(clean(toolName(r))+" summary") + "::" + escapeData(githubSummary(r, fs, shown)) + "\n")
	}
	return b.Flush()
}

// githubSummary is the closing notice: the totals, what was annotated and
// where the rest is.
func githubSummary(r *rules.Result, fs []rules.Finding, shown map[string]int) string {
	s := summarize(r, fs)
	text := clean(toolName(r)) + ": " + s.totals() + "."
	if r.Only != "" {
		text += " Only findings involving layer " + clean(r.Only) + " (--only); the rest of the set is not reported."
	}
	if by, _ := reviewCounts(r, fs); by != nil {
		text += " Since the baseline: " + strconv.Itoa(by[rules.StateNew]) + " new, " + strconv.Itoa(by[rules.StateUpdated]) +
			" updated, " + strconv.Itoa(by[rules.StateUnchanged]) + " unchanged, " + strconv.Itoa(by[rules.StateAbsent]) + " resolved."
	}
	waived := 0
	for _, f := range fs {
		if f.Review != nil && f.Review.Waived && f.Review.State != rules.StateAbsent {
			waived++
		}
	}
	if waived > 0 {
		text += " " + strconv.Itoa(waived) + " waived by accepted decisions."
	}
	text += " Annotated here: " + plural(shown["error"], "error") + ", " + plural(shown["warning"], "warning") + ", " +
		plural(shown["notice"], "notice") + " (GitHub shows at most 10 error and 10 warning annotations per step; most severe" +
		" and, with a baseline, new and updated first). The full list is in the job summary (report.md) and in the files" +
		" check --out writes (report.html, conflicts.geojson, ledger.xlsx)."
	return text
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
