package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/plancheck/plancheck/planning"
	"github.com/plancheck/plancheck/rules"
	"github.com/plancheck/plancheck/rules/review"
	"github.com/urfave/cli/v2"
)

func explainCommand() *cli.Command {
	return &cli.Command{
		Name:      "explain",
		Usage:     "print what a rule detects, why it matters, how to fix it and the settings it reads",
		ArgsUsage: "RULE",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "manifest", Usage: "explain the rules of this plan set's `FILE` (or directory) too: its rules file's own rules"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usageError("explain needs one rule name (see plancheck rules)")
			}
			name := c.Args().First()
			known := append(rules.All(), rules.InputRules()...)
			var man *planning.Manifest
			if m := c.String("manifest"); m != "" {
				path, err := planning.FindManifest(m)
				if err != nil {
					return inputError(err)
				}
				man, err = planning.ReadManifest(path, planning.ManifestOptions{AllowOutside: true, Settings: rules.ManifestSettings})
				if err != nil {
					return inputError(err)
				}
				rs, err := rules.LoadRules(man.RulesPath)
				if err != nil {
					return inputError(err)
				}
				// The set's own rules first: a rules file may replace a
				// built-in rule it disables.
				known = append(rs, known...)
			}
			if r := rules.Lookup(known, name); r != nil {
				return explain(c.App.Writer, r.Info(), man)
			}
			// The review step's own findings.
			for _, ri := range review.Rules() {
				if ri.Name == name {
					return explain(c.App.Writer, ri, nil)
				}
			}
			return usageError("no rule %q (see plancheck rules, or explain --manifest FILE for a plan set's own rules)", name)
		},
	}
}

// explain prints a rule's name and severity, then its doc by sections:
// the title and 标题, what it detects, why it matters, the fix, the 说明
// and the settings it reads, each under its heading; with a manifest, last
// the values the plan set gives those settings.
func explain(w io.Writer, ri rules.RuleInfo, man *planning.Manifest) error {
	text := ri.Structured().Text(ri.Settings)
	if man != nil {
		var set []string
		for _, s := range ri.Settings {
			if v, ok := man.Settings[s.Name]; ok {
				set = append(set, fmt.Sprintf("%s: %s %s", s.Name, strconv.FormatFloat(v, 'f', -1, 64), s.Unit))
			}
		}
		if len(set) > 0 {
			text += "\n\nSet in " + man.Path + "\n" + strings.Join(set, "\n")
		}
	}
	_, err := fmt.Fprintf(w, "%s (%s)\n\n%s\n", ri.Name, ri.Severity, text)
	return err
}
