package image

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"testing"
)

func TestClassify(t *testing.T) {
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	dialTimeout := &net.OpError{Op: "dial", Net: "tcp", Err: os.ErrDeadlineExceeded}
	tests := []struct {
		name string
		ctx  context.Context
		err  error
		want error
	}{
		{"caller canceled", canceled, fmt.Errorf("Get: %w", context.Canceled), ErrCanceled},
		{"cancellation seen by the transport", context.Background(), fmt.Errorf("Get: %w", context.Canceled), ErrCanceled},
		{"caller's deadline passed", canceled, fmt.Errorf("Get: %w", context.DeadlineExceeded), ErrCanceled},
		{"transport timeout with the caller still waiting", context.Background(), fmt.Errorf("Get: %w", context.DeadlineExceeded), ErrNetwork},
		{"dial timeout", context.Background(), dialTimeout, ErrNetwork},
		{"already classified", canceled, fmt.Errorf("%w: x", ErrNotFound), ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := classify(tt.ctx, tt.err)
			for _, class := range errorClasses {
				if errors.Is(got, class) != (class == tt.want) {
					t.Fatalf("classify(%v) = %v: errors.Is(%v) = %v, want exactly %v", tt.err, got, class, !(class == tt.want), tt.want)
				}
			}
		})
	}
}
