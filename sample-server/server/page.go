package server

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"net/http"
)

// static holds the page, its script and its style; they are inlined into one
// response so the page needs no other request, CDN or asset server.
//
//go:embed static/index.html static/app.js static/style.css
var static embed.FS

// pageData is what the page shows about the running server.
type pageData struct {
	Platform string
	Version  string
	Commit   string
	Go       string
	Script   template.JS
	Style    template.CSS
}

// renderedPage is the index page, rendered once because nothing in it changes
// while the process runs, with the Content-Security-Policy that allows exactly
// its inline script and style (by hash) and nothing from elsewhere.
type renderedPage struct {
	body []byte
	csp  string
}

func renderPage(data pageData) (renderedPage, error) {
	script, err := static.ReadFile("static/app.js")
	if err != nil {
		return renderedPage{}, fmt.Errorf("reading embedded script: %w", err)
	}
	style, err := static.ReadFile("static/style.css")
	if err != nil {
		return renderedPage{}, fmt.Errorf("reading embedded style: %w", err)
	}
	tmpl, err := template.ParseFS(static, "static/index.html")
	if err != nil {
		return renderedPage{}, fmt.Errorf("parsing embedded page: %w", err)
	}
	data.Script = template.JS(script)
	data.Style = template.CSS(style)
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, data); err != nil {
		return renderedPage{}, fmt.Errorf("rendering page: %w", err)
	}
	csp := fmt.Sprintf("default-src 'none'; script-src '%s'; style-src '%s'; "+
		"connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
		cspHash(script), cspHash(style))
	return renderedPage{body: buf.Bytes(), csp: csp}, nil
}

// cspHash is the CSP source expression for an inline element's exact text.
func cspHash(content []byte) string {
	sum := sha256.Sum256(content)
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}

func (s *Server) handleIndex(w http.ResponseWriter, _ *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", s.page.csp)
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-cache")
	_, _ = w.Write(s.page.body)
}
