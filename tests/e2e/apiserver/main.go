// Command kube-apiserver-e2e runs a real kube-apiserver (k8s.io/kubernetes, used as a
// library) together with an embedded etcd in one process, for kubeset's end-to-end tests.
//
// It generates everything it needs in a temporary folder: a serving CA and serving
// certificate for 127.0.0.1/localhost, a client CA with an admin client certificate
// (group system:masters), a static token file with an admin user (group system:masters),
// an authentication config that allows anonymous requests only on /healthz, /livez,
// /readyz and /version (so anything else without credentials gets 401) and a
// service-account signing key.  The secure port is a free port on 127.0.0.1 (the
// listener is handed to the server, so no port race), etcd listens on free ports on
// 127.0.0.1.  Authorization is Node,RBAC; the API groups are the ones v1.36 serves by
// default.  The serviceaccount, namespace and garbage-collector controllers run
// in-process (see controllers.go; --controllers=false to leave them out), and so does a
// kubelet stand-in: node "kubeset-node", whose pods run as local processes and serve exec,
// attach, port-forward and logs (see kubelet.go; --kubelet=false to leave it out).
// `kube-apiserver-e2e streamclient ...` runs client-go's exec / port-forward clients instead
// (streamclient.go).
//
// When /readyz answers ok (and the "default" namespace and its "default" service account
// exist) it writes a kubeconfig with two contexts ("token", the current one, and
// "client-cert") and prints exactly one line on stdout:
//
//	KUBECONFIG=/path/to/kubeconfig
//
// Everything else (apiserver and etcd logs) goes to stderr.  On SIGTERM or SIGINT (and,
// with --exit-on-stdin-eof, when stdin reaches end of file, i.e. the parent died) it
// stops the controllers, the apiserver, then etcd, removes its temporary folder and
// exits 0.
package main

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/spf13/pflag"
	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	basecompatibility "k8s.io/component-base/compatibility"
	"k8s.io/component-base/featuregate"
	logsapi "k8s.io/component-base/logs/api/v1"
	"k8s.io/klog/v2"
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
	"k8s.io/kubernetes/cmd/kube-apiserver/app/options"
)

const (
	adminUser   = "kubeset-admin"
	certUser    = "kubeset-cert-admin"
	mastersGrp  = "system:masters"
	saIssuer    = "https://kubernetes.default.svc.cluster.local"
	readyBudget = 3 * time.Minute
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "streamclient" {
		os.Exit(streamClientMain(os.Args[2:]))
	}
	var o runOptions
	flag.StringVar(&o.kubeconfigOut, "kubeconfig", "", "where to write the kubeconfig (default: <tmpdir>/kubeconfig, removed on exit)")
	flag.BoolVar(&o.exitOnStdinEOF, "exit-on-stdin-eof", false, "shut down when stdin reaches EOF (the parent process went away)")
	flag.StringVar(&o.extraArgs, "apiserver-args", "", "extra kube-apiserver flags, space separated (e.g. --feature-gates=X=true)")
	flag.IntVar(&o.verbosity, "v", 0, "kube-apiserver log verbosity")
	flag.BoolVar(&o.controllers, "controllers", true, "run the serviceaccount, namespace and garbage-collector controllers in-process")
	flag.BoolVar(&o.kubelet, "kubelet", true, "run the kubelet stand-in (node "+kubeletNodeName+", pods bound to it run as local processes; see kubelet.go)")
	flag.BoolVar(&o.kubeletWebSockets, "kubelet-websockets", false, "the stand-in's node declares ExtendWebSocketsToKubelet (as 1.36 kubelets do): the apiserver proxies WebSockets to it and it translates them")
	flag.Parse()

	if err := run(o); err != nil {
		fmt.Fprintf(os.Stderr, "kube-apiserver-e2e: %v\n", err)
		os.Exit(1)
	}
}

type runOptions struct {
	kubeconfigOut  string
	exitOnStdinEOF bool
	extraArgs      string
	verbosity      int
	controllers    bool
	kubelet        bool

	kubeletWebSockets bool
}

func run(o runOptions) (retErr error) {
	kubeconfigOut, exitOnStdinEOF, extraArgs, verbosity, controllers := o.kubeconfigOut, o.exitOnStdinEOF, o.extraArgs, o.verbosity, o.controllers
	started := time.Now()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	if exitOnStdinEOF {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			cancel(errors.New("stdin closed"))
		}()
	}

	tmp, err := os.MkdirTemp("", "kubeset-e2e-apiserver-")
	if err != nil {
		return err
	}
	defer func() {
		if err := os.RemoveAll(tmp); err != nil && retErr == nil {
			retErr = err
		}
		logf("removed %s", tmp)
	}()

	pki, err := writePKI(tmp)
	if err != nil {
		return fmt.Errorf("generating certificates: %w", err)
	}

	// --- etcd -----------------------------------------------------------------------
	etcd, etcdURL, err := startEtcd(filepath.Join(tmp, "etcd"))
	if err != nil {
		return fmt.Errorf("starting etcd: %w", err)
	}
	defer func() {
		etcdClosing.Store(true)
		etcd.Close()
		logf("etcd stopped")
	}()
	logf("etcd ready at %s after %s", etcdURL, time.Since(started).Round(time.Millisecond))

	// --- kube-apiserver ----------------------------------------------------------
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	port := listener.Addr().(*net.TCPAddr).Port

	args := []string{
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(port),
		"--cert-dir=" + filepath.Join(tmp, "certs"),
		"--tls-cert-file=" + pki.servingCert,
		"--tls-private-key-file=" + pki.servingKey,
		"--client-ca-file=" + pki.clientCA,
		"--token-auth-file=" + pki.tokenFile,
		"--authentication-config=" + pki.authnConfig,
		"--authorization-mode=Node,RBAC",
		"--service-account-issuer=" + saIssuer,
		"--service-account-key-file=" + pki.saKey,
		"--service-account-signing-key-file=" + pki.saKey,
		"--service-cluster-ip-range=10.0.0.0/24",
		// 127.0.0.1 is not a valid Endpoints address for the "kubernetes" service.
		"--endpoint-reconciler-type=none",
		"--etcd-servers=" + etcdURL,
		// The kubelet stand-in (kubelet.go): the apiserver verifies its serving certificate and
		// authenticates to it with a client certificate, as in a real cluster.
		"--kubelet-client-certificate=" + pki.kubeletClientCert,
		"--kubelet-client-key=" + pki.kubeletClientKey,
		"--kubelet-certificate-authority=" + pki.kubeletCA,
		"--kubelet-preferred-address-types=InternalIP,Hostname",
		"--v=" + strconv.Itoa(verbosity),
	}
	if extraArgs != "" {
		args = append(args, strings.Fields(extraArgs)...)
	}

	s := options.NewServerRunOptions()
	fs := pflag.NewFlagSet("kube-apiserver", pflag.ContinueOnError)
	for _, f := range s.Flags().FlagSets {
		fs.AddFlagSet(f)
	}
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("kube-apiserver flags: %w", err)
	}
	s.SecureServing.Listener = listener // no race for the port: we hold it already

	if err := s.GenericServerRunOptions.ComponentGlobalsRegistry.Set(); err != nil {
		return err
	}
	rest.SetDefaultWarningHandler(rest.NoWarnings{})
	featureGate := s.GenericServerRunOptions.ComponentGlobalsRegistry.FeatureGateFor(basecompatibility.DefaultKubeComponent)
	if err := logsapi.ValidateAndApply(s.Logs, featureGate); err != nil {
		return err
	}
	completed, err := s.Complete(ctx)
	if err != nil {
		return fmt.Errorf("completing kube-apiserver options: %w", err)
	}
	if errs := completed.Validate(); len(errs) != 0 {
		return fmt.Errorf("invalid kube-apiserver options: %w", utilerrors.NewAggregate(errs))
	}
	if mfg, ok := featureGate.(featuregate.MutableFeatureGate); ok {
		mfg.AddMetrics()
	}

	apiCtx, apiCancel := context.WithCancel(context.Background())
	defer apiCancel()
	api := &apiServerRun{done: make(chan struct{})}
	go func() {
		api.err = app.Run(apiCtx, completed)
		close(api.done)
	}()
	stopControllers := func() {}
	stopKubelet := func() {}
	shutdown := func() error {
		stopKubelet()
		stopControllers()
		apiCancel()
		<-api.done
		return api.err
	}

	server := "https://127.0.0.1:" + strconv.Itoa(port)
	if err := waitReady(ctx, server, pki, api, "/readyz", "/api/v1/namespaces/default"); err != nil {
		_ = shutdown()
		return err
	}
	if controllers {
		restCfg := &rest.Config{Host: server, BearerToken: pki.token,
			TLSClientConfig: rest.TLSClientConfig{CAData: pki.servingCAPEM}}
		stop, err := startControllers(klog.NewContext(context.Background(), klog.Background()), restCfg)
		if err != nil {
			_ = shutdown()
			return err
		}
		stopControllers = stop
		// Pods can be created in "default" once its service account exists.
		if err := waitReady(ctx, server, pki, api, "/api/v1/namespaces/default/serviceaccounts/default"); err != nil {
			_ = shutdown()
			return err
		}
	}
	if o.kubelet {
		restCfg := &rest.Config{Host: server, BearerToken: pki.token,
			TLSClientConfig: rest.TLSClientConfig{CAData: pki.servingCAPEM}}
		stop, err := startKubelet(klog.NewContext(context.Background(), klog.Background()), kubeletConfig{
			rest: restCfg, pki: pki, dir: filepath.Join(tmp, "kubelet"), websockets: o.kubeletWebSockets})
		if err != nil {
			_ = shutdown()
			return fmt.Errorf("kubelet stand-in: %w", err)
		}
		stopKubelet = stop
	}
	if kubeconfigOut == "" {
		kubeconfigOut = filepath.Join(tmp, "kubeconfig")
	} else {
		defer os.Remove(kubeconfigOut)
	}
	if err := writeKubeconfig(kubeconfigOut, server, pki); err != nil {
		_ = shutdown()
		return err
	}
	logf("kube-apiserver ready at %s after %s", server, time.Since(started).Round(time.Millisecond))
	fmt.Printf("KUBECONFIG=%s\n", kubeconfigOut)
	_ = os.Stdout.Sync()

	select {
	case <-ctx.Done():
		logf("shutting down (%v)", context.Cause(ctx))
		if err := shutdown(); err != nil {
			return fmt.Errorf("kube-apiserver stopped with an error: %w", err)
		}
		logf("kube-apiserver stopped")
		return nil
	case <-api.done:
		stopKubelet()
		stopControllers()
		if api.err == nil {
			return errors.New("kube-apiserver exited unexpectedly")
		}
		return api.err
	}
}

type apiServerRun struct {
	done chan struct{}
	err  error
}

func logf(format string, args ...any) {
	klog.Flush()
	fmt.Fprintf(os.Stderr, "kube-apiserver-e2e: "+format+"\n", args...)
}

// ------------------------------------------------------------------------------------
// etcd

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func startEtcd(dir string) (*embed.Etcd, string, error) {
	var lastErr error
	for attempt := 0; attempt < 5; attempt++ {
		clientPort, err := freePort()
		if err != nil {
			return nil, "", err
		}
		peerPort, err := freePort()
		if err != nil {
			return nil, "", err
		}
		clientURL := url.URL{Scheme: "http", Host: "127.0.0.1:" + strconv.Itoa(clientPort)}
		peerURL := url.URL{Scheme: "http", Host: "127.0.0.1:" + strconv.Itoa(peerPort)}

		cfg := embed.NewConfig()
		cfg.Name = "kubeset-e2e"
		cfg.Dir = dir
		cfg.ListenClientUrls = []url.URL{clientURL}
		cfg.AdvertiseClientUrls = []url.URL{clientURL}
		cfg.ListenPeerUrls = []url.URL{peerURL}
		cfg.AdvertisePeerUrls = []url.URL{peerURL}
		cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
		cfg.LogLevel = "error"
		cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(etcdLogger())
		cfg.UnsafeNoFsync = true // throw-away data: no need to fsync
		e, err := embed.StartEtcd(cfg)
		if err != nil {
			lastErr = err
			_ = os.RemoveAll(dir)
			continue // most likely a port was taken between freePort and Listen
		}
		select {
		case <-e.Server.ReadyNotify():
			return e, clientURL.String(), nil
		case err := <-e.Err():
			e.Close()
			return nil, "", err
		case <-time.After(60 * time.Second):
			e.Close()
			return nil, "", errors.New("etcd did not become ready within 60s")
		}
	}
	return nil, "", lastErr
}

// etcdClosing is set just before etcd.Close(): from then on etcd's listeners report
// "use of closed network connection" and the like as errors, which are expected.
var etcdClosing atomic.Bool

// etcdLogger logs etcd's errors (JSON, stderr) but not the expected ones at shutdown.
func etcdLogger() *zap.Logger {
	enc := zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig())
	core := zapcore.NewCore(enc, zapcore.Lock(os.Stderr), zapcore.ErrorLevel)
	return zap.New(&quietAtCloseCore{core}, zap.AddCaller())
}

type quietAtCloseCore struct{ zapcore.Core }

func (c *quietAtCloseCore) With(fields []zapcore.Field) zapcore.Core {
	return &quietAtCloseCore{c.Core.With(fields)}
}

func (c *quietAtCloseCore) Check(e zapcore.Entry, ce *zapcore.CheckedEntry) *zapcore.CheckedEntry {
	if etcdClosing.Load() {
		return ce
	}
	return c.Core.Check(e, ce)
}

// ------------------------------------------------------------------------------------
// readiness

func waitReady(ctx context.Context, server string, pki *pkiFiles, api *apiServerRun, paths ...string) error {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pki.servingCAPEM)
	client := &http.Client{
		Timeout:   5 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}},
	}
	get := func(path string) (int, string) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, server+path, nil)
		req.Header.Set("Authorization", "Bearer "+pki.token)
		resp, err := client.Do(req)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return resp.StatusCode, string(body)
	}
	deadline := time.Now().Add(readyBudget)
	last := ""
	for _, path := range paths {
		for {
			code, body := get(path)
			if code == http.StatusOK {
				break
			}
			last = fmt.Sprintf("GET %s: %d %s", path, code, body)
			if time.Now().After(deadline) {
				return fmt.Errorf("kube-apiserver not ready after %s; last: %s", readyBudget, last)
			}
			select {
			case <-api.done:
				return fmt.Errorf("kube-apiserver exited before ready: %v", api.err)
			case <-ctx.Done():
				return fmt.Errorf("interrupted before ready (%v)", context.Cause(ctx))
			case <-time.After(200 * time.Millisecond):
			}
		}
	}
	return nil
}

// ------------------------------------------------------------------------------------
// certificates, token, kubeconfig

type pkiFiles struct {
	servingCAPEM  []byte
	servingCert   string
	servingKey    string
	clientCA      string
	clientCertPEM []byte
	clientKeyPEM  []byte
	tokenFile     string
	token         string
	saKey         string
	authnConfig   string

	// kubelet stand-in: its serving certificate (CA kubeletCA) and the client certificate
	// the apiserver presents to it (signed by the client CA, CN kubeletClientCN)
	kubeletCA         string
	kubeletCert       tls.Certificate
	kubeletClientCert string
	kubeletClientKey  string
	clientCAPool      *x509.CertPool
}

const authnConfig = `apiVersion: apiserver.config.k8s.io/v1
kind: AuthenticationConfiguration
anonymous:
  enabled: true
  conditions:
  - path: /livez
  - path: /readyz
  - path: /healthz
  - path: /version
`

func newKey() (*ecdsa.PrivateKey, error) { return ecdsa.GenerateKey(elliptic.P256(), rand.Reader) }

func keyPEM(k *ecdsa.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), nil
}

func certPEM(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	return n.Add(n, big.NewInt(1))
}

func newCA(cn string) (*x509.Certificate, *ecdsa.PrivateKey, []byte, error) {
	key, err := newKey()
	if err != nil {
		return nil, nil, nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(10 * 365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	return cert, key, certPEM(der), err
}

func signLeaf(ca *x509.Certificate, caKey crypto.Signer, tmpl *x509.Certificate) ([]byte, []byte, error) {
	key, err := newKey()
	if err != nil {
		return nil, nil, err
	}
	now := time.Now()
	tmpl.SerialNumber = serial()
	tmpl.NotBefore = now.Add(-time.Hour)
	tmpl.NotAfter = now.Add(365 * 24 * time.Hour)
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment
	tmpl.BasicConstraintsValid = true
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, key.Public(), caKey)
	if err != nil {
		return nil, nil, err
	}
	kp, err := keyPEM(key)
	return certPEM(der), kp, err
}

func writePKI(tmp string) (*pkiFiles, error) {
	dir := filepath.Join(tmp, "pki")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	write := func(name string, data []byte) (string, error) {
		p := filepath.Join(dir, name)
		return p, os.WriteFile(p, data, 0o600)
	}
	// writeCA makes a CA and writes its certificate to file.
	writeCA := func(cn, file string) (*x509.Certificate, *ecdsa.PrivateKey, string, error) {
		ca, caKey, caPEM, err := newCA(cn)
		if err != nil {
			return nil, nil, "", err
		}
		path, err := write(file, caPEM)
		return ca, caKey, path, err
	}
	// writeLeaf signs a certificate and writes it and its key as <name>.crt and <name>.key.
	writeLeaf := func(name string, ca *x509.Certificate, caKey crypto.Signer, tmpl *x509.Certificate) (string, string, error) {
		crt, key, err := signLeaf(ca, caKey, tmpl)
		if err != nil {
			return "", "", err
		}
		crtPath, err := write(name+".crt", crt)
		if err != nil {
			return "", "", err
		}
		keyPath, err := write(name+".key", key)
		return crtPath, keyPath, err
	}
	p := &pkiFiles{}

	// serving
	servingCA, servingCAKey, servingCAPEM, err := newCA("kubeset-e2e-serving-ca")
	if err != nil {
		return nil, err
	}
	p.servingCAPEM = servingCAPEM
	if p.servingCert, p.servingKey, err = writeLeaf("apiserver", servingCA, servingCAKey, &x509.Certificate{
		Subject:     pkix.Name{CommonName: "kube-apiserver"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:    []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1"), net.ParseIP("10.0.0.1")},
	}); err != nil {
		return nil, err
	}
	if _, err := write("serving-ca.crt", servingCAPEM); err != nil {
		return nil, err
	}

	// client certificates
	clientCA, clientCAKey, clientCAFile, err := writeCA("kubeset-e2e-client-ca", "client-ca.crt")
	if err != nil {
		return nil, err
	}
	p.clientCA = clientCAFile
	p.clientCertPEM, p.clientKeyPEM, err = signLeaf(clientCA, clientCAKey, &x509.Certificate{
		Subject:     pkix.Name{CommonName: certUser, Organization: []string{mastersGrp}},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	})
	if err != nil {
		return nil, err
	}

	p.clientCAPool = x509.NewCertPool()
	p.clientCAPool.AddCert(clientCA)
	if p.kubeletClientCert, p.kubeletClientKey, err = writeLeaf("apiserver-kubelet-client", clientCA, clientCAKey, &x509.Certificate{
		Subject:     pkix.Name{CommonName: kubeletClientCN, Organization: []string{"kubeset-e2e:kubelet-clients"}},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}); err != nil {
		return nil, err
	}

	// the kubelet's serving certificate, from its own CA (as a kubelet's self-signed or
	// cluster-signed serving certificate is distinct from the apiserver's)
	kubeletCA, kubeletCAKey, kubeletCAFile, err := writeCA("kubeset-e2e-kubelet-ca", "kubelet-ca.crt")
	if err != nil {
		return nil, err
	}
	p.kubeletCA = kubeletCAFile
	ksCrt, ksKey, err := signLeaf(kubeletCA, kubeletCAKey, &x509.Certificate{
		Subject:     pkix.Name{CommonName: kubeletNodeName},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:    []string{kubeletNodeName, "localhost"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
	})
	if err != nil {
		return nil, err
	}
	if p.kubeletCert, err = tls.X509KeyPair(ksCrt, ksKey); err != nil {
		return nil, err
	}

	// static token
	buf := make([]byte, 24)
	if _, err := rand.Read(buf); err != nil {
		return nil, err
	}
	p.token = hex.EncodeToString(buf)
	line := fmt.Sprintf("%s,%s,%s,\"%s\"\n", p.token, adminUser, adminUser+"-uid", mastersGrp)
	if p.tokenFile, err = write("tokens.csv", []byte(line)); err != nil {
		return nil, err
	}

	// Anonymous requests are only accepted on the health and version endpoints (as
	// hardened clusters do), so a request without credentials anywhere else gets 401.
	if p.authnConfig, err = write("authentication-config.yaml", []byte(authnConfig)); err != nil {
		return nil, err
	}

	// service-account signing key (private key; the public half is derived from it)
	saKey, err := newKey()
	if err != nil {
		return nil, err
	}
	saPEM, err := keyPEM(saKey)
	if err != nil {
		return nil, err
	}
	if p.saKey, err = write("sa.key", saPEM); err != nil {
		return nil, err
	}
	return p, nil
}

func writeKubeconfig(path, server string, p *pkiFiles) error {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["kubeset-e2e"] = &clientcmdapi.Cluster{Server: server, CertificateAuthorityData: p.servingCAPEM}
	cfg.AuthInfos[adminUser] = &clientcmdapi.AuthInfo{Token: p.token}
	cfg.AuthInfos[certUser] = &clientcmdapi.AuthInfo{ClientCertificateData: p.clientCertPEM, ClientKeyData: p.clientKeyPEM}
	cfg.Contexts["token"] = &clientcmdapi.Context{Cluster: "kubeset-e2e", AuthInfo: adminUser, Namespace: "default"}
	cfg.Contexts["client-cert"] = &clientcmdapi.Context{Cluster: "kubeset-e2e", AuthInfo: certUser, Namespace: "default"}
	cfg.CurrentContext = "token"
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return clientcmd.WriteToFile(*cfg, path)
}
