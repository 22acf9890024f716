package registry

import "testing"

func TestParseECRHost(t *testing.T) {
	tests := []struct {
		host string
		want ECRHost
		ok   bool
	}{
		{"123456789012.dkr.ecr.us-east-1.amazonaws.com", ECRHost{Account: "123456789012", Region: "us-east-1", Suffix: "amazonaws.com"}, true},
		{"123456789012.dkr.ecr.us-east-1.amazonaws.com:443", ECRHost{Account: "123456789012", Region: "us-east-1", Suffix: "amazonaws.com"}, true},
		{"123456789012.DKR.ECR.EU-WEST-1.AMAZONAWS.COM", ECRHost{Account: "123456789012", Region: "eu-west-1", Suffix: "amazonaws.com"}, true},
		{"123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com", ECRHost{Account: "123456789012", Region: "us-gov-west-1", FIPS: true, Suffix: "amazonaws.com"}, true},
		{"123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn", ECRHost{Account: "123456789012", Region: "cn-north-1", Suffix: "amazonaws.com.cn"}, true},
		{"123456789012.dkr.ecr.eusc-de-east-1.amazonaws.eu", ECRHost{Account: "123456789012", Region: "eusc-de-east-1", Suffix: "amazonaws.eu"}, true},
		{"123456789012.dkr.ecr.us-iso-east-1.c2s.ic.gov", ECRHost{Account: "123456789012", Region: "us-iso-east-1", Suffix: "c2s.ic.gov"}, true},
		{"123456789012.dkr-ecr.us-west-2.on.aws", ECRHost{Account: "123456789012", Region: "us-west-2", DualStack: true, Suffix: "on.aws"}, true},
		{"123456789012.dkr-ecr-fips.us-east-2.on.aws", ECRHost{Account: "123456789012", Region: "us-east-2", DualStack: true, FIPS: true, Suffix: "on.aws"}, true},
		// Not ECR private registries.
		{"public.ecr.aws", ECRHost{}, false},
		{"index.docker.io", ECRHost{}, false},
		{"127.0.0.1:5000", ECRHost{}, false},
		{"12345678901.dkr.ecr.us-east-1.amazonaws.com", ECRHost{}, false},           // 11 digits
		{"12345678901a.dkr.ecr.us-east-1.amazonaws.com", ECRHost{}, false},          // not digits
		{"123456789012.dkr.ecr.us-east-1.amazonaws.com.evil.com", ECRHost{}, false}, // suffix spoof
		{"123456789012.dkr.ecr.us-east-1.example.com", ECRHost{}, false},
		{"123456789012.dkr-ecr.us-west-2.amazonaws.com", ECRHost{}, false},
		{"123456789012.dkr.ecr.useast1.amazonaws.com", ECRHost{}, false},
		{"123456789012.dkr.ecr..amazonaws.com", ECRHost{}, false},
		{"", ECRHost{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			got, ok := ParseECRHost(tt.host)
			if ok != tt.ok || got != tt.want {
				t.Errorf("ParseECRHost(%q) = %+v, %v; want %+v, %v", tt.host, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func FuzzParseECRHost(f *testing.F) {
	f.Add("123456789012.dkr.ecr.us-east-1.amazonaws.com")
	f.Add("123456789012.dkr-ecr-fips.us-east-2.on.aws")
	f.Add("a.b.c.d.e")
	f.Fuzz(func(t *testing.T, host string) {
		h, ok := ParseECRHost(host)
		if !ok {
			return
		}
		if !isAccountID(h.Account) || !isRegionName(h.Region) {
			t.Fatalf("accepted %q with account %q region %q", host, h.Account, h.Region)
		}
	})
}
