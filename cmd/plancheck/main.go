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
	"strings"
	"syscall"

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

func inputError(err error) error {
	return &exitError{code: exitUsage, err: err}
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
	err := app.RunContext(ctx, flagsFirst(args))
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
	return &cli.App{
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
		},
	}
}

// boolFlags take no value; every other flag takes the next argument.
var boolFlags = map[string]bool{"allow-outside": true, "quiet": true, "q": true, "yaml": true, "help": true, "h": true}

// commandGroups are the commands whose first argument is a subcommand.
var commandGroups = map[string]bool{"decisions": true}

// flagsFirst moves a subcommand's flags before its positional arguments,
// so "plancheck check fixtures/czt --out report" works: urfave/cli v2
// stops reading flags at the first positional argument.
func flagsFirst(args []string) []string {
	if len(args) < 3 {
		return args
	}
	// A command with subcommands (decisions init) keeps both words first.
	prefix := 2
	if commandGroups[args[1]] && len(args) > 3 && !strings.HasPrefix(args[2], "-") {
		prefix = 3
	}
	out := append([]string{}, args[:prefix]...)
	var positional []string
	rest := args[prefix:]
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
		name := strings.TrimLeft(a, "-")
		if strings.Contains(name, "=") || boolFlags[name] {
			continue
		}
		if i+1 < len(rest) {
			out = append(out, rest[i+1])
			i++
		}
	}
	if len(positional) > 0 {
		out = append(out, "--")
		out = append(out, positional...)
	}
	return out
}
