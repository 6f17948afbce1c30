// Command plancheck checks that the plans governing one territory agree
// with each other (多规合一): it reads a plan set (plancheck.yaml plus
// GeoJSON layers), validates it, runs the conflict rules and writes
// conflict reports.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/plancheck/plancheck/geo"
	"github.com/plancheck/plancheck/planning"
	"github.com/urfave/cli/v2"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "0.1.0-dev"

// Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage or
// unreadable input.
const (
	exitClean    = 0
	exitFindings = 1
	exitUsage    = 2
)

// exitError carries an exit code through urfave/cli back to main.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return ""
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

func usageError(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

// requireFlags is a usage error naming the first of names not given.
// urfave's own Required check prints the whole help on standard output,
// where a CI step or a pipe takes it for the command's output.
func requireFlags(c *cli.Context, names ...string) error {
	for _, n := range names {
		if !c.IsSet(n) {
			path := commandPath(c)
			return usageError("%s needs --%s (see plancheck %s --help)", path, n, path)
		}
	}
	return nil
}

// commandPath is the command c runs as typed, "decisions init" for a
// subcommand (urfave's FullName gives only "init").
func commandPath(c *cli.Context) string {
	var names []string
	for _, ctx := range c.Lineage() {
		if ctx.Command != nil && ctx.Command.Name != "" && ctx.Command.Name != c.App.Name {
			names = append(names, ctx.Command.Name)
		}
	}
	slices.Reverse(names)
	return strings.Join(names, " ")
}

func inputError(err error) error {
	return &exitError{code: exitUsage, err: withFlagHint(err)}
}

// withFlagHint names the option that lifts a refusal: the packages say
// what is wrong, only the CLI knows its flags.
func withFlagHint(err error) error {
	switch {
	case errors.Is(err, geo.ErrTooLarge):
		return fmt.Errorf("%w; raise --max-file-size to read it", err)
	case errors.Is(err, planning.ErrOutside):
		return fmt.Errorf("%w (use --allow-outside to permit)", err)
	}
	return err
}

func main() {
	if os.Getenv("GOGC") == "" && os.Getenv("GOMEMLIMIT") == "" {
		tuneGC()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is main without the process: tests call it directly.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	app := newApp(stdout, stderr)
	if len(args) < 2 {
		// No command: the usage on stderr, and a usage error.
		app.Writer = stderr
		_ = app.RunContext(ctx, []string{args0(args), "--help"})
		return exitUsage
	}
	if err := knownCommand(app, args[1]); err != nil {
		fmt.Fprintln(stderr, "plancheck:", err)
		return exitUsage
	}
	err := unknownFlag(app, args)
	var moved []string
	if err == nil {
		moved, err = flagsFirst(args)
	}
	if err == nil {
		err = app.RunContext(ctx, moved)
	}
	if err == nil {
		return exitClean
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(stderr, "plancheck:", ee.err)
		}
		return ee.code
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		fmt.Fprintln(stderr, "plancheck: cancelled:", err)
		return exitUsage
	}
	fmt.Fprintln(stderr, "plancheck:", err)
	return exitUsage
}

func newApp(stdout, stderr io.Writer) *cli.App {
	app := &cli.App{
		Name:    "plancheck",
		Usage:   "check that spatial plans agree with each other (多规合一)",
		Version: version,
		Writer:  stdout,
		// Errors are printed once, by run; urfave must not exit or print.
		ErrWriter:      stderr,
		ExitErrHandler: func(*cli.Context, error) {},
		OnUsageError: func(c *cli.Context, err error, isSubcommand bool) error {
			return usageError("%v", err)
		},
		Commands: []*cli.Command{
			checkCommand(),
			validateCommand(),
			rulesCommand(),
			explainCommand(),
			decisionsCommand(),
			tileCommand(),
			mergeCommand(),
		},
	}
	// A flag urfave cannot parse is a usage error like any other: said
	// once on stderr, nothing on standard output (urfave's default prints
	// the command's help there, after "Incorrect Usage").
	var onAll func([]*cli.Command)
	onAll = func(cmds []*cli.Command) {
		for _, c := range cmds {
			c.OnUsageError = commandUsageError
			onAll(c.Subcommands)
		}
	}
	onAll(app.Commands)
	return app
}

// flagValueError is how the flag package refuses a value.
var flagValueError = regexp.MustCompile(`^invalid value "(.*)" for flag -([\w-]+): (.*)$`)

// commandUsageError rewrites the flag package's messages ("flag provided
// but not defined: -bogus", "invalid value "x" for flag -asof: parse
// error") with the flags spelt as plancheck's help spells them.
func commandUsageError(c *cli.Context, err error, _ bool) error {
	msg := err.Error()
	if m := flagValueError.FindStringSubmatch(msg); m != nil {
		want := m[3]
		for _, f := range c.Command.Flags {
			if !slices.Contains(f.Names(), m[2]) {
				continue
			}
			switch f.(type) {
			case *cli.IntFlag, *cli.Int64Flag:
				want = "want a whole number"
			case *cli.Float64Flag:
				want = "want a number"
			case *cli.DurationFlag:
				want = "want a duration such as 90s or 10m"
			}
		}
		if strings.Contains(m[3], "out of range") {
			want = "out of range"
		}
		return usageError("--%s %q: %s", m[2], m[1], want)
	}
	return usageError("%s", strings.Replace(msg, " -", " --", 1))
}

// boolFlags take no value; every other flag takes the next argument.
var boolFlags = map[string]bool{"allow-outside": true, "quiet": true, "q": true, "yaml": true, "help": true, "h": true}

// commandGroups are the commands whose first argument is a subcommand.
var commandGroups = map[string]bool{"decisions": true}

func args0(args []string) string {
	if len(args) > 0 {
		return args[0]
	}
	return "plancheck"
}

// knownCommand refuses a first argument that is neither a flag nor a
// command, suggesting the nearest command ("chek": did you mean check?).
func knownCommand(app *cli.App, name string) error {
	if strings.HasPrefix(name, "-") {
		return nil
	}
	names := []string{"help", "h"}
	for _, c := range app.Commands {
		names = append(names, c.Names()...)
	}
	if slices.Contains(names, name) {
		return nil
	}
	best, bestD := "", 3
	for _, n := range names {
		if d := editDistance(strings.ToLower(name), n); d < bestD && len(n) > 1 {
			best, bestD = n, d
		}
	}
	msg := fmt.Sprintf("unknown command %q", name)
	if best != "" {
		msg += fmt.Sprintf(": did you mean %s?", best)
	}
	return &exitError{code: exitUsage, err: errors.New(msg + " (see plancheck --help)")}
}

// editDistance is the Levenshtein distance between two command names.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur := make([]int, len(rb)+1)
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(rb)]
}

// unknownFlag refuses a flag the command does not have, naming the
// nearest one: flagsFirst, which knows no command's flags, would read a
// misspelt flag last on the line as one missing its value.
func unknownFlag(app *cli.App, args []string) error {
	if len(args) < 3 {
		return nil
	}
	cmd := findCommand(app.Commands, args[1])
	if cmd == nil {
		return nil
	}
	prefix, label := 2, cmd.Name
	if len(cmd.Subcommands) > 0 {
		sub := findCommand(cmd.Subcommands, args[2])
		if sub == nil {
			return nil // urfave says what the group's subcommands are
		}
		cmd, prefix, label = sub, 3, label+" "+sub.Name
	}
	takesValue := map[string]bool{"help": false, "h": false}
	for _, f := range cmd.Flags {
		v := true
		if d, ok := f.(cli.DocGenerationFlag); ok {
			v = d.TakesValue()
		}
		for _, n := range f.Names() {
			takesValue[n] = v
		}
	}
	rest := args[prefix:]
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		if a == "--" {
			return nil
		}
		if !isFlag(a) {
			continue
		}
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		v, ok := takesValue[name]
		if !ok {
			dash := "--"
			if len(name) == 1 {
				dash = "-"
			}
			msg := fmt.Sprintf("%s has no flag %s%s", label, dash, name)
			best, bestD := "", 3
			for n := range takesValue {
				if d := editDistance(strings.ToLower(name), n); len(n) > 1 && (d < bestD || d == bestD && n < best) {
					best, bestD = n, d
				}
			}
			if best != "" {
				msg += fmt.Sprintf(": did you mean --%s?", best)
			}
			return usageError("%s (see plancheck %s --help)", msg, label)
		}
		if v && !hasValue && i+1 < len(rest) && !isFlag(rest[i+1]) {
			i++ // its value, whatever it reads like
		}
	}
	return nil
}

// findCommand is the command named name (or one of its aliases).
func findCommand(cmds []*cli.Command, name string) *cli.Command {
	for _, c := range cmds {
		if slices.Contains(c.Names(), name) {
			return c
		}
	}
	return nil
}

// flagsFirst moves a subcommand's flags before its positional arguments,
// so "plancheck check fixtures/czt --out report" works: urfave/cli v2
// stops reading flags at the first positional argument. A flag that needs
// a value and has none (last on the line, or followed by another flag),
// and a value flag given twice, are usage errors: urfave would take "--"
// as the value or keep the last one silently.
func flagsFirst(args []string) ([]string, error) {
	if len(args) < 3 {
		return args, nil
	}
	// A command with subcommands (decisions init) keeps both words first.
	prefix := 2
	if commandGroups[args[1]] && len(args) > 3 && !strings.HasPrefix(args[2], "-") {
		prefix = 3
	}
	out := append([]string{}, args[:prefix]...)
	var positional []string
	rest := args[prefix:]
	seen := map[string]bool{}
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		if a == "--" {
			positional = append(positional, rest[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			positional = append(positional, a)
			continue
		}
		out = append(out, a)
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if boolFlags[name] {
			continue
		}
		if seen[name] {
			return nil, usageError("--%s is given twice; give it once", name)
		}
		seen[name] = true
		if hasValue {
			if value == "" {
				return nil, usageError("--%s= has no value", name)
			}
			continue
		}
		if i+1 >= len(rest) || isFlag(rest[i+1]) {
			return nil, usageError("--%s needs a value", name)
		}
		out = append(out, rest[i+1])
		i++
	}
	if len(positional) > 0 {
		out = append(out, "--")
		out = append(out, positional...)
	}
	return out, nil
}

// isFlag reports whether an argument is a flag rather than a value:
// "-1" and "-0.5" are values (a negative number, refused later with the
// flag's range), "--out" and "-q" are flags.
func isFlag(a string) bool {
	if a == "--" {
		return true
	}
	if len(a) < 2 || a[0] != '-' {
		return false
	}
	_, err := strconv.ParseFloat(a, 64)
	return err != nil
}
