package cdp

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Target is one entry of the browser's /json/list.
type Target struct {
	ID                   string `json:"id"`
	Type                 string `json:"type"`
	Title                string `json:"title"`
	URL                  string `json:"url"`
	WebSocketDebuggerURL string `json:"webSocketDebuggerUrl"`
}

// maxTargetListBytes bounds the /json/list answer.
const maxTargetListBytes = 1 << 20

// Targets lists what the browser can be attached to.
func (b *Browser) Targets(ctx context.Context) ([]Target, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.DebugURL+"/json/list", nil)
	if err != nil {
		return nil, fmt.Errorf("listing devtools targets: %w", err)
	}
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("listing devtools targets: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxTargetListBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s/json/list: %w", b.DebugURL, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("listing devtools targets: %s/json/list answered %s", b.DebugURL, resp.Status)
	}
	return parseTargets(body)
}

// parseTargets decodes a /json/list body.
func parseTargets(body []byte) ([]Target, error) {
	if len(body) > maxTargetListBytes {
		return nil, fmt.Errorf("devtools target list larger than %d bytes", maxTargetListBytes)
	}
	var targets []Target
	if err := json.Unmarshal(body, &targets); err != nil {
		return nil, fmt.Errorf("decoding devtools target list: %w", err)
	}
	return targets, nil
}

// Page is a session with one page (tab).
type Page struct {
	conn *Conn
}

// OpenPage attaches to the browser's first page target, waiting for it to
// appear until ctx ends, and enables the page events Navigate needs.
func (b *Browser) OpenPage(ctx context.Context) (*Page, error) {
	var target Target
	for target.WebSocketDebuggerURL == "" {
		targets, err := b.Targets(ctx)
		if err != nil {
			return nil, err
		}
		for _, t := range targets {
			if t.Type == "page" && t.WebSocketDebuggerURL != "" {
				target = t
				break
			}
		}
		if target.WebSocketDebuggerURL != "" {
			break
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for a page target in %s: %w", b.DebugURL, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
	conn, err := Dial(ctx, target.WebSocketDebuggerURL)
	if err != nil {
		return nil, err
	}
	p := &Page{conn: conn}
	for _, method := range []string{"Page.enable", "Runtime.enable"} {
		if err := conn.Call(ctx, method, nil, nil); err != nil {
			_ = conn.Close()
			return nil, err
		}
	}
	if err := conn.Call(ctx, "Page.setLifecycleEventsEnabled", map[string]bool{"enabled": true}, nil); err != nil {
		_ = conn.Close()
		return nil, err
	}
	return p, nil
}

// Close ends the session; the page itself stays open.
func (p *Page) Close() error { return p.conn.Close() }

// Navigate loads url and waits for its load event (for a navigation within
// the same document, only until the browser has done it).
func (p *Page) Navigate(ctx context.Context, url string) error {
	events, cancel := p.conn.Subscribe("Page.lifecycleEvent")
	defer cancel()
	var nav struct {
		FrameID   string `json:"frameId"`
		LoaderID  string `json:"loaderId"`
		ErrorText string `json:"errorText"`
	}
	if err := p.conn.Call(ctx, "Page.navigate", map[string]string{"url": url}, &nav); err != nil {
		return err
	}
	if nav.ErrorText != "" {
		return fmt.Errorf("navigating to %s: %s", url, nav.ErrorText)
	}
	if nav.LoaderID == "" {
		return nil // a same-document navigation: no new document, no load event
	}
	for {
		select {
		case ev := <-events:
			var lc struct {
				FrameID  string `json:"frameId"`
				LoaderID string `json:"loaderId"`
				Name     string `json:"name"`
			}
			if err := json.Unmarshal(ev.Params, &lc); err != nil {
				return fmt.Errorf("decoding lifecycle event while loading %s: %w", url, err)
			}
			if lc.FrameID == nav.FrameID && lc.LoaderID == nav.LoaderID && lc.Name == "load" {
				return nil
			}
		case <-p.conn.Done():
			return fmt.Errorf("loading %s: %w", url, ErrClosed)
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s to load: %w", url, ctx.Err())
		}
	}
}

// remoteObject is the part of Runtime.RemoteObject Evaluate reads.
type remoteObject struct {
	Type        string          `json:"type"`
	Value       json.RawMessage `json:"value"`
	Description string          `json:"description"`
}

// Evaluate runs expression in the page, awaits it if it is a promise, and
// decodes its value (JSON-serializable) into result. A thrown exception or
// rejected promise is an error carrying the exception's description.
func (p *Page) Evaluate(ctx context.Context, expression string, result any) error {
	params := map[string]any{
		"expression":    expression,
		"awaitPromise":  true,
		"returnByValue": true,
		"userGesture":   true,
	}
	var answer struct {
		Result           remoteObject `json:"result"`
		ExceptionDetails *struct {
			Text      string        `json:"text"`
			Exception *remoteObject `json:"exception"`
		} `json:"exceptionDetails"`
	}
	if err := p.conn.Call(ctx, "Runtime.evaluate", params, &answer); err != nil {
		return err
	}
	if ed := answer.ExceptionDetails; ed != nil {
		msg := ed.Text
		if ed.Exception != nil && ed.Exception.Description != "" {
			msg = ed.Exception.Description
		}
		return fmt.Errorf("script threw: %s", msg)
	}
	if result == nil {
		return nil
	}
	if len(answer.Result.Value) == 0 {
		return fmt.Errorf("script returned %s, not a JSON value", answer.Result.Type)
	}
	if err := json.Unmarshal(answer.Result.Value, result); err != nil {
		return fmt.Errorf("decoding script result: %w", err)
	}
	return nil
}

// Screenshot captures the page's viewport as PNG bytes.
func (p *Page) Screenshot(ctx context.Context) ([]byte, error) {
	var answer struct {
		Data string `json:"data"`
	}
	if err := p.conn.Call(ctx, "Page.captureScreenshot", map[string]string{"format": "png"}, &answer); err != nil {
		return nil, err
	}
	if answer.Data == "" {
		return nil, errors.New("screenshot answer has no data")
	}
	png, err := base64.StdEncoding.DecodeString(answer.Data)
	if err != nil {
		return nil, fmt.Errorf("decoding screenshot: %w", err)
	}
	return png, nil
}
