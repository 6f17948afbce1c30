package rules

import (
	"context"
	"fmt"
	"reflect"
	"slices"
)

// Provider is a rule whose result, of type T, other rules read: computed
// once per run, before the rules that list it under Requires, as a
// go/analysis analyzer provides its result to the analyzers requiring it.
// They read it with Of, typed; nothing is looked up by name.
type Provider[T any] struct {
	*Rule
}

// NewProvider makes r a Provider whose Run computes the result with
// compute; r gives the name, doc and settings.
func NewProvider[T any](r *Rule, compute func(ctx context.Context, pass *Pass) (T, error)) Provider[T] {
	r.ResultType = reflect.TypeFor[T]()
	r.Run = func(ctx context.Context, pass *Pass) error {
		v, err := compute(ctx, pass)
		if err != nil {
			return err
		}
		pass.results[r] = v
		return nil
	}
	return Provider[T]{r}
}

// Of returns the result for the rule of pass, which must require p.
func (p Provider[T]) Of(pass *Pass) (T, error) {
	var zero T
	if !slices.Contains(pass.Rule.Requires, p.Rule) {
		return zero, fmt.Errorf("reads the result of %s, which it does not require", p.Name)
	}
	v, ok := pass.results[p.Rule]
	if !ok {
		return zero, fmt.Errorf("the result of %s is missing", p.Name)
	}
	// Only p's Run stores it, as a T.
	return v.(T), nil
}
