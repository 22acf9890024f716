package fakeaws

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// The AWS Query protocol: a form-encoded POST with Action and Version,
// answered with <ActionResponse><ActionResult>...</ActionResult> or an
// <ErrorResponse>.

// queryResult is the answer of one operation: a result element to wrap,
// or an error.
type queryResult struct {
	result any
	err    *queryError
}

type queryError struct {
	Status  int
	Code    string
	Message string
}

var queryVersions = map[string]string{"iam": "2010-05-08", "elasticloadbalancing": "2015-12-01"}

var queryNamespaces = map[string]string{
	"iam":                  "https://iam.amazonaws.com/doc/2010-05-08/",
	"elasticloadbalancing": "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/",
}

func (a *Account) serveQuery(service string, operation func(action, region string, form url.Values) queryResult) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
		region := signingRegion(r.Header.Get("Authorization"), service)
		switch {
		case r.Method != http.MethodPost || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded"):
			writeQueryError(w, service, a.requestID(), &queryError{400, "InvalidAction", "want a form-encoded POST"})
			return
		case region == "":
			writeQueryError(w, service, a.requestID(), &queryError{403, "IncompleteSignature", "the request is not SigV4 signed for " + service})
			return
		}
		if err := r.ParseForm(); err != nil {
			writeQueryError(w, service, a.requestID(), &queryError{400, "MalformedQueryString", err.Error()})
			return
		}
		action := r.PostForm.Get("Action")
		fault, forbidden := a.record(Call{Service: service, Operation: action, Region: region, Body: r.PostForm.Encode()})
		switch {
		case r.PostForm.Get("Version") != queryVersions[service]:
			writeQueryError(w, service, a.requestID(), &queryError{400, "InvalidParameterValue", "unsupported Version " + r.PostForm.Get("Version")})
			return
		case forbidden:
			writeQueryError(w, service, a.requestID(), &queryError{400, "InvalidAction", action + " is refused by fakeaws"})
			return
		case fault == AccessDenied:
			writeQueryError(w, service, a.requestID(), &queryError{403, "AccessDenied", "User is not authorized to perform: " + service + ":" + action})
			return
		case fault == Throttled:
			writeQueryError(w, service, a.requestID(), &queryError{400, "Throttling", "Rate exceeded"})
			return
		}
		res := operation(action, region, r.PostForm)
		if res.err != nil {
			writeQueryError(w, service, a.requestID(), res.err)
			return
		}
		writeQueryResult(w, service, action, a.requestID(), res.result)
	}
}

// writeQueryResult wraps the result element (one XML element named by the
// result's XMLName) in the operation's response and result elements.
func writeQueryResult(w http.ResponseWriter, service, action, requestID string, result any) {
	inner, err := xml.Marshal(result)
	if err != nil {
		writeQueryError(w, service, requestID, &queryError{500, "InternalFailure", err.Error()})
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	fmt.Fprintf(w, `<%[1]sResponse xmlns="%[2]s"><%[1]sResult>%[3]s</%[1]sResult><ResponseMetadata><RequestId>%[4]s</RequestId></ResponseMetadata></%[1]sResponse>`,
		action, queryNamespaces[service], inner, requestID)
}

func writeQueryError(w http.ResponseWriter, service, requestID string, e *queryError) {
	type errorBody struct {
		Type    string
		Code    string
		Message string
	}
	type errorResponse struct {
		XMLName   xml.Name `xml:"ErrorResponse"`
		Xmlns     string   `xml:"xmlns,attr"`
		Error     errorBody
		RequestID string `xml:"RequestId"`
	}
	typ := "Sender"
	if e.Status >= 500 {
		typ = "Receiver"
	}
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(e.Status)
	_ = xml.NewEncoder(w).Encode(errorResponse{Xmlns: queryNamespaces[service], Error: errorBody{typ, e.Code, e.Message}, RequestID: requestID})
}

// iamOperation answers GetRole.
func (a *Account) iamOperation(action, _ string, form url.Values) queryResult {
	if action != "GetRole" {
		return queryResult{err: &queryError{400, "InvalidAction", "fakeaws serves GetRole only, not " + action}}
	}
	name := form.Get("RoleName")
	a.mu.Lock()
	role, ok := a.roles[name]
	a.mu.Unlock()
	if !ok {
		return queryResult{err: &queryError{404, "NoSuchEntity", fmt.Sprintf("The role with name %s cannot be found.", name)}}
	}
	type iamRole struct {
		Path                     string
		RoleName                 string
		RoleID                   string `xml:"RoleId"`
		Arn                      string
		CreateDate               string
		AssumeRolePolicyDocument string
	}
	return queryResult{result: struct {
		XMLName xml.Name `xml:"Role"`
		iamRole
	}{iamRole: iamRole{Path: "/", RoleName: name, RoleID: "AROAFAKE" + strings.ToUpper(name),
		Arn: fmt.Sprintf("arn:aws:iam::%s:role/%s", a.ID, name), CreateDate: "2024-01-02T03:04:05Z",
		AssumeRolePolicyDocument: url.PathEscape(role.TrustPolicy)}}}
}

// elbOperation answers DescribeTargetGroups by ARN.
func (a *Account) elbOperation(action, _ string, form url.Values) queryResult {
	if action != "DescribeTargetGroups" {
		return queryResult{err: &queryError{400, "InvalidAction", "fakeaws serves DescribeTargetGroups only, not " + action}}
	}
	type members struct {
		Member []string `xml:"member"`
	}
	type targetGroup struct {
		TargetGroupArn   string
		TargetGroupName  string
		Protocol         string `xml:",omitempty"`
		Port             int    `xml:",omitempty"`
		VpcID            string `xml:"VpcId"`
		TargetType       string
		HealthCheckPort  string `xml:",omitempty"`
		LoadBalancerArns members
	}
	var out []targetGroup
	a.mu.Lock()
	defer a.mu.Unlock()
	for i := 1; form.Has(fmt.Sprintf("TargetGroupArns.member.%d", i)); i++ {
		arn := form.Get(fmt.Sprintf("TargetGroupArns.member.%d", i))
		tg, ok := a.targetGroups[arn]
		if !ok {
			return queryResult{err: &queryError{400, "TargetGroupNotFound", "One or more target groups not found"}}
		}
		out = append(out, targetGroup{TargetGroupArn: tg.ARN, TargetGroupName: tg.Name, Protocol: tg.Protocol, Port: tg.Port,
			VpcID: "vpc-0fake", TargetType: tg.TargetType, HealthCheckPort: tg.HealthCheckPort, LoadBalancerArns: members{tg.LoadBalancers}})
	}
	if len(out) == 0 {
		return queryResult{err: &queryError{400, "ValidationError", "fakeaws answers DescribeTargetGroups by TargetGroupArns only"}}
	}
	return queryResult{result: struct {
		XMLName xml.Name      `xml:"TargetGroups"`
		Member  []targetGroup `xml:"member"`
	}{Member: out}}
}
