package main

// The kubelet stand-in: enough of a kubelet for a client library's exec, attach, port-forward
// and logs to run end to end through the real kube-apiserver.
//
//   - It registers the Node "kubeset-node" (Ready, address 127.0.0.1, daemonEndpoints port of
//     its HTTPS server) and serves the kubelet API paths the apiserver dials: /exec, /attach,
//     /portForward and /containerLogs.  The apiserver verifies the serving certificate
//     (--kubelet-certificate-authority) and authenticates with its kubelet client
//     certificate; the stand-in accepts only that certificate (CN kubeletClientCN, signed by
//     the client CA).  A real kubelet would authorize the caller with a SubjectAccessReview.
//   - Exec, attach and port-forward go the way they go in a real kubelet: the kubelet API
//     asks the "container runtime" for a streaming URL and proxies the upgraded connection
//     to the CRI streaming server (k8s.io/cri-streaming, the code containerd and CRI-O
//     embed), whose Runtime is runtime.go.  So the SPDY protocols (v1..v5 channel.k8s.io,
//     portforward.k8s.io) are spoken by Kubernetes' own code on both ends, and a client's
//     WebSocket is translated to SPDY by the apiserver, as for a node that does not declare
//     ExtendWebSocketsToKubelet (kubelets before 1.36).  With --kubelet-websockets the Node
//     declares it (as a 1.36 kubelet does by default): the apiserver then proxies the
//     WebSocket itself to the kubelet API, which translates it to SPDY with the apiserver's
//     own translator (k8s.io/apiserver/pkg/util/proxy), as pkg/kubelet/server does.
//   - Pods bound to the node run: see pods.go (status) and runtime.go (processes).

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	goruntime "runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	v1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/httpstream/wsstream"
	"k8s.io/apimachinery/pkg/util/proxy"
	translator "k8s.io/apiserver/pkg/util/proxy"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/cri-streaming/pkg/streaming"
	"k8s.io/cri-streaming/pkg/streaming/portforward"
	remotecommandserver "k8s.io/cri-streaming/pkg/streaming/remotecommand"
)

const (
	kubeletNodeName = "kubeset-node"
	kubeletClientCN = "kube-apiserver-kubelet-client"
	// kubeletVersion is what the Node reports; the harness's apiserver is the same release.
	kubeletVersion = "v1.36.5"
)

// kubeletConfig is what the stand-in is started with.
type kubeletConfig struct {
	rest *rest.Config // the apiserver, with admin credentials
	pki  *pkiFiles
	dir  string // where pods get their folders
	// websockets: declare ExtendWebSocketsToKubelet (the kubelet translates WebSockets)
	websockets bool
}

// startKubelet registers the node, starts the kubelet API server, the CRI streaming server
// and the pod worker; it returns a function that stops them all (and every container).
func startKubelet(ctx context.Context, kc kubeletConfig) (func(), error) {
	cfg, pki := rest.CopyConfig(kc.rest), kc.pki
	cfg.QPS, cfg.Burst = 100, 200
	cfg.UserAgent = "kubeset-e2e-kubelet"
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	rt := newProcessRuntime(filepath.Join(kc.dir, "pods"))

	// The CRI streaming server, as a runtime runs it: plain HTTP on a loopback port.
	streamListener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		cancel()
		return nil, err
	}
	scfg := streaming.DefaultConfig
	scfg.Addr = streamListener.Addr().String()
	scfg.BaseURL = &url.URL{Scheme: "http", Host: scfg.Addr}
	streamServer, err := streaming.NewServer(scfg, rt)
	if err != nil {
		cancel()
		_ = streamListener.Close()
		return nil, err
	}
	streamHTTP := &http.Server{Handler: streamServer, ReadHeaderTimeout: 30 * time.Second}

	// The kubelet API (HTTPS, client certificates required).
	apiListener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		cancel()
		_ = streamListener.Close()
		return nil, err
	}
	port := apiListener.Addr().(*net.TCPAddr).Port
	pods := newPodWorker(client, rt, kubeletNodeName)
	api := &kubeletAPI{pods: pods, runtime: rt, streaming: streamServer, websockets: kc.websockets}
	apiHTTP := &http.Server{
		Handler:           api.handler(),
		ReadHeaderTimeout: 30 * time.Second,
		TLSConfig: &tls.Config{
			Certificates: []tls.Certificate{pki.kubeletCert},
			ClientCAs:    pki.clientCAPool,
			ClientAuth:   tls.RequireAndVerifyClientCert,
			MinVersion:   tls.VersionTLS12,
		},
	}

	var wg sync.WaitGroup
	serve := func(name string, f func() error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f(); err != nil && !errors.Is(err, http.ErrServerClosed) {
				logf("kubelet %s server: %v", name, err)
			}
		}()
	}
	serve("streaming", func() error { return streamHTTP.Serve(streamListener) })
	serve("API", func() error { return apiHTTP.ServeTLS(apiListener, "", "") })

	stop := func() {
		cancel()
		pods.stop()
		rt.shutdown()
		shutdownCtx, done := context.WithTimeout(context.Background(), 5*time.Second)
		defer done()
		_ = apiHTTP.Shutdown(shutdownCtx)
		_ = streamHTTP.Shutdown(shutdownCtx)
		_ = apiHTTP.Close()
		_ = streamHTTP.Close()
		wg.Wait()
	}
	if err := registerNode(ctx, client, kubeletNodeName, nodeStatus(port, kc.websockets)); err != nil {
		stop()
		return nil, fmt.Errorf("registering node %s: %w", kubeletNodeName, err)
	}
	if err := pods.start(ctx); err != nil {
		stop()
		return nil, err
	}
	logf("kubelet stand-in: node %s, kubelet API https://127.0.0.1:%d, streaming %s", kubeletNodeName, port, scfg.Addr)
	return stop, nil
}

// nodeStatus is the status a freshly started kubelet reports.
func nodeStatus(port int, websockets bool) v1.NodeStatus {
	var declared []string
	if websockets {
		declared = []string{"ExtendWebSocketsToKubelet"}
	}
	now := metav1.Now()
	capacity := v1.ResourceList{
		v1.ResourceCPU:              resource.MustParse(strconv.Itoa(goruntime.NumCPU())),
		v1.ResourceMemory:           resource.MustParse("8Gi"),
		v1.ResourcePods:             resource.MustParse("110"),
		v1.ResourceEphemeralStorage: resource.MustParse("20Gi"),
	}
	condition := func(t v1.NodeConditionType, s v1.ConditionStatus, reason, message string) v1.NodeCondition {
		return v1.NodeCondition{Type: t, Status: s, Reason: reason, Message: message,
			LastHeartbeatTime: now, LastTransitionTime: now}
	}
	return v1.NodeStatus{
		Capacity:    capacity,
		Allocatable: capacity,
		Phase:       v1.NodeRunning,
		Conditions: []v1.NodeCondition{
			condition(v1.NodeMemoryPressure, v1.ConditionFalse, "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
			condition(v1.NodeDiskPressure, v1.ConditionFalse, "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
			condition(v1.NodePIDPressure, v1.ConditionFalse, "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
			condition(v1.NodeReady, v1.ConditionTrue, "KubeletReady", "kubelet is posting ready status (kubeset e2e stand-in)"),
		},
		Addresses: []v1.NodeAddress{
			{Type: v1.NodeInternalIP, Address: "127.0.0.1"},
			{Type: v1.NodeHostName, Address: kubeletNodeName},
		},
		DaemonEndpoints:  v1.NodeDaemonEndpoints{KubeletEndpoint: v1.DaemonEndpoint{Port: int32(port)}},
		DeclaredFeatures: declared,
		NodeInfo: v1.NodeSystemInfo{
			KubeletVersion:          kubeletVersion,
			OperatingSystem:         goruntime.GOOS,
			Architecture:            goruntime.GOARCH,
			ContainerRuntimeVersion: "kubeset-standin://" + kubeletVersion,
			OSImage:                 "kubeset e2e host",
		},
	}
}

// registerNode creates the Node (or takes over an existing one) and posts its status.
func registerNode(ctx context.Context, client kubernetes.Interface, name string, status v1.NodeStatus) error {
	nodes := client.CoreV1().Nodes()
	node := &v1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{
		v1.LabelHostname: name, v1.LabelOSStable: goruntime.GOOS, v1.LabelArchStable: goruntime.GOARCH,
	}}}
	created, err := nodes.Create(ctx, node, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		created, err = nodes.Get(ctx, name, metav1.GetOptions{})
	}
	if err != nil {
		return err
	}
	created.Status = status
	_, err = nodes.UpdateStatus(ctx, created, metav1.UpdateOptions{})
	return err
}

// kubeletAPI serves the kubelet's streaming and log paths (pkg/kubelet/server's routes).
type kubeletAPI struct {
	pods       *podWorker
	runtime    *processRuntime
	streaming  streaming.Server
	websockets bool // translate WebSocket requests here (ExtendWebSocketsToKubelet)
}

type responder struct{}

func (responder) Error(w http.ResponseWriter, _ *http.Request, err error) {
	logf("kubelet: error while proxying a stream: %v", err)
	http.Error(w, err.Error(), http.StatusInternalServerError)
}

func (k *kubeletAPI) handler() http.Handler {
	mux := http.NewServeMux()
	for _, prefix := range []string{"/exec/", "/attach/"} {
		mux.Handle(prefix+"{podNamespace}/{podID}/{containerName}", k.authorized(k.serveRemoteCommand))
		mux.Handle(prefix+"{podNamespace}/{podID}/{uid}/{containerName}", k.authorized(k.serveRemoteCommand))
	}
	mux.Handle("/portForward/{podNamespace}/{podID}", k.authorized(k.servePortForward))
	mux.Handle("/portForward/{podNamespace}/{podID}/{uid}", k.authorized(k.servePortForward))
	mux.Handle("/containerLogs/{podNamespace}/{podID}/{containerName}", k.authorized(k.serveContainerLogs))
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })
	return mux
}

// authorized lets through only the apiserver's kubelet client certificate.
func (k *kubeletAPI) authorized(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 || r.TLS.PeerCertificates[0].Subject.CommonName != kubeletClientCN {
			http.Error(w, "Forbidden (user is not the apiserver's kubelet client)", http.StatusForbidden)
			return
		}
		h(w, r)
	})
}

// serveRemoteCommand is the kubelet's getExec / getAttach: find the container, get a
// streaming URL from the runtime, proxy the upgrade to it.
func (k *kubeletAPI) serveRemoteCommand(w http.ResponseWriter, r *http.Request) {
	ns, podName, uid, containerName := r.PathValue("podNamespace"), r.PathValue("podID"), r.PathValue("uid"), r.PathValue("containerName")
	opts, err := remotecommandserver.NewOptions(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	pod, ok := k.pods.pod(ns, podName)
	if !ok {
		http.Error(w, "pod does not exist", http.StatusNotFound)
		return
	}
	var location *url.URL
	if strings.HasPrefix(r.URL.Path, "/attach/") {
		location, err = k.runtime.attachURL(k.streaming, pod, uid, containerName, opts)
	} else {
		location, err = k.runtime.execURL(k.streaming, pod, uid, containerName, r.URL.Query()["command"], opts)
	}
	if err != nil {
		_ = streaming.WriteError(err, w)
		return
	}
	var handler http.Handler = proxy.NewUpgradeAwareHandler(location, nil, false, true, responder{})
	if k.websockets && wsstream.IsWebSocketRequestWithStreamCloseProtocol(r) {
		handler = translator.NewStreamTranslatorHandler(location, nil, 0, translator.Options{
			Stdin: opts.Stdin, Stdout: opts.Stdout, Stderr: opts.Stderr, Tty: opts.TTY})
	}
	handler.ServeHTTP(w, r)
}

// servePortForward is the kubelet's getPortForward.
func (k *kubeletAPI) servePortForward(w http.ResponseWriter, r *http.Request) {
	ns, podName, uid := r.PathValue("podNamespace"), r.PathValue("podID"), r.PathValue("uid")
	pod, ok := k.pods.pod(ns, podName)
	if !ok || (uid != "" && string(pod.UID) != uid) {
		http.Error(w, "pod does not exist", http.StatusNotFound)
		return
	}
	// As the kubelet: a WebSocket request in the channel form names its ports (?ports=), which
	// the runtime's streaming server needs (an SPDY request or a tunnel names none).
	tunnel := k.websockets && wsstream.IsWebSocketRequestWithTunnelingProtocol(r)
	options := &portforward.V4Options{}
	if !tunnel {
		var err error
		if options, err = portforward.NewV4Options(r); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
	}
	location, err := k.runtime.portForwardURL(k.streaming, pod, options.Ports)
	if err != nil {
		_ = streaming.WriteError(err, w)
		return
	}
	var handler http.Handler = proxy.NewUpgradeAwareHandler(location, nil, false, true, responder{})
	if tunnel {
		handler = translator.NewTunnelingHandler(handler)
	}
	handler.ServeHTTP(w, r)
}
