package faultproxy

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestFaults(t *testing.T) {
	body := strings.Repeat("0123456789", 1000)
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, body)
	}))
	t.Cleanup(backend.Close)
	p := Start(t, strings.TrimPrefix(backend.URL, "http://"))
	p.StallFor = 2 * time.Second
	client := &http.Client{Timeout: 500 * time.Millisecond}
	get := func() (int, string, error) {
		resp, err := client.Get("http://" + p.Host + "/v2/x/blobs/y")
		if err != nil {
			return 0, "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), err
	}
	tests := []struct {
		fault Fault
		check func(code int, got string, err error) error
	}{
		{None, func(code int, got string, err error) error {
			if err != nil || code != 200 || got != body {
				return errors.New("clean proxying failed")
			}
			return nil
		}},
		{Status5, wantCode(500)},
		{Status9, wantCode(429)},
		{Reset, wantErr},
		{Stall, wantErr},
		{Truncate, wantErr},
		{Flip, func(code int, got string, err error) error {
			if err != nil || code != 200 || len(got) != len(body) || got == body {
				return errors.New("flip did not change exactly the content")
			}
			return nil
		}},
	}
	for _, tt := range tests {
		t.Run(string(tt.fault)+"fault", func(t *testing.T) {
			p.SetRule(Rule{Fault: tt.fault, Every: 1})
			code, got, err := get()
			if cerr := tt.check(code, got, err); cerr != nil {
				t.Errorf("%v (code %d, %d bytes, err %v)", cerr, code, len(got), err)
			}
		})
	}
	// Every 2nd request: faults alternate with clean responses.
	p.SetRule(Rule{Fault: Status5, Every: 2})
	var codes []int
	for i := 0; i < 4; i++ {
		code, _, _ := get()
		codes = append(codes, code)
	}
	if codes[0] != 200 || codes[1] != 500 || codes[2] != 200 || codes[3] != 500 {
		t.Errorf("Every 2: codes %v", codes)
	}
	if s := p.Stats(); s.Requests < 11 || s.BytesToClient == 0 {
		t.Errorf("stats %+v", s)
	}
}

func wantCode(want int) func(int, string, error) error {
	return func(code int, _ string, err error) error {
		if err != nil || code != want {
			return errors.New("wrong status")
		}
		return nil
	}
}

func wantErr(_ int, _ string, err error) error {
	if err == nil {
		return errors.New("want a transport error")
	}
	return nil
}
