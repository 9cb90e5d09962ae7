package main

// `kube-apiserver-e2e streamclient ...`: client-go's own exec/attach and port-forward clients
// (tools/remotecommand, tools/portforward), as kubectl uses them, for the e2e tests and as the
// reference beside kubeset in `make bench`.
//
//	kube-apiserver-e2e streamclient exec --kubeconfig K --pod P [--namespace N] [--container C]
//	    [--stdin] [--tty] [--size WxH] [--attach] [--spdy] [--bytes N] -- CMD...
//	  Streams the process's stdin/stdout/stderr through; exits with the remote exit code.
//	  --bytes N: count stdout instead of copying it, check it is N bytes and print one JSON line
//	  {"bytes": N, "seconds": S} (the command should write N bytes, e.g. head -c N /dev/zero).
//	  --attach: attach to the container's main process instead (no CMD).
//	  WebSocket (remotecommand.NewWebSocketExecutor, v5.channel.k8s.io) unless --spdy.
//
//	kube-apiserver-e2e streamclient port-forward --kubeconfig K --pod P [--namespace N]
//	    --ports 8080[,9090...] [--spdy] [--bytes N --connections C]
//	  Forwards free local ports on 127.0.0.1 (SPDY over WebSocket, the tunneling dialer,
//	  unless --spdy), prints one line "PORTS=local1:remote1,local2:remote2" and runs until
//	  stdin closes.  --bytes N: instead opens C concurrent connections (default 1) to the
//	  first port, each sending N bytes and reading them back (the pod side must echo),
//	  checks them and prints {"bytes": total, "seconds": S, "connections": C}.
//
// Exit code 0 on success, the remote exit code for exec, 255 (with a message on stderr) when
// the stream itself failed.

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/httpstream"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/client-go/tools/portforward"
	"k8s.io/client-go/tools/remotecommand"
	"k8s.io/client-go/transport/spdy"
	clientexec "k8s.io/client-go/util/exec"
)

const streamClientFailed = 255

type streamClientFlags struct {
	kubeconfig, namespace, pod, container, size, ports string
	stdin, tty, attach, spdy                           bool
	bytes                                              int64
	connections                                        int
	timeout                                            time.Duration
}

func streamClientMain(args []string) int {
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: kube-apiserver-e2e streamclient exec|port-forward [flags] [-- CMD...]")
		return 2
	}
	sub, args := args[0], args[1:]
	var f streamClientFlags
	fs := flag.NewFlagSet("streamclient "+sub, flag.ContinueOnError)
	fs.StringVar(&f.kubeconfig, "kubeconfig", os.Getenv("KUBECONFIG"), "kubeconfig (current context)")
	fs.StringVar(&f.namespace, "namespace", "default", "namespace of the pod")
	fs.StringVar(&f.pod, "pod", "", "pod name")
	fs.StringVar(&f.container, "container", "", "container name (default: the only one)")
	fs.StringVar(&f.size, "size", "", "terminal size WxH sent once at the start (with --tty)")
	fs.StringVar(&f.ports, "ports", "", "remote ports, comma separated")
	fs.BoolVar(&f.stdin, "stdin", false, "pass stdin through")
	fs.BoolVar(&f.tty, "tty", false, "allocate a terminal")
	fs.BoolVar(&f.attach, "attach", false, "attach to the main process instead of exec")
	fs.BoolVar(&f.spdy, "spdy", false, "SPDY instead of WebSocket")
	fs.Int64Var(&f.bytes, "bytes", -1, "throughput mode: bytes to move (see the package comment)")
	fs.IntVar(&f.connections, "connections", 1, "port-forward throughput mode: concurrent connections")
	fs.DurationVar(&f.timeout, "timeout", 10*time.Minute, "give up after this long")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", f.kubeconfig)
	if err != nil {
		return failed(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), f.timeout)
	defer cancel()
	switch sub {
	case "exec":
		return streamExec(ctx, cfg, &f, fs.Args())
	case "port-forward":
		return streamPortForward(ctx, cfg, &f)
	default:
		fmt.Fprintf(os.Stderr, "streamclient: unknown subcommand %q\n", sub)
		return 2
	}
}

func failed(err error) int {
	fmt.Fprintf(os.Stderr, "streamclient: %v\n", err)
	return streamClientFailed
}

type oneSize struct {
	size *remotecommand.TerminalSize
	done <-chan struct{}
}

func (q *oneSize) Next() *remotecommand.TerminalSize {
	if s := q.size; s != nil {
		q.size = nil
		return s
	}
	<-q.done
	return nil
}

type counter struct{ n int64 }

func (c *counter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

func streamExec(ctx context.Context, cfg *rest.Config, f *streamClientFlags, command []string) int {
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return failed(err)
	}
	subresource := "exec"
	if f.attach {
		subresource = "attach"
	}
	req := client.CoreV1().RESTClient().Post().Resource("pods").Namespace(f.namespace).Name(f.pod).SubResource(subresource)
	req.VersionedParams(&v1.PodExecOptions{Container: f.container, Command: command,
		Stdin: f.stdin, Stdout: true, Stderr: !f.tty, TTY: f.tty}, scheme.ParameterCodec)
	var executor remotecommand.Executor
	if f.spdy {
		executor, err = remotecommand.NewSPDYExecutor(cfg, http.MethodPost, req.URL())
	} else {
		executor, err = remotecommand.NewWebSocketExecutor(cfg, http.MethodGet, req.URL().String())
	}
	if err != nil {
		return failed(err)
	}
	opts := remotecommand.StreamOptions{Stdout: os.Stdout, Tty: f.tty}
	if !f.tty {
		opts.Stderr = os.Stderr
	}
	if f.stdin {
		opts.Stdin = os.Stdin
	}
	if f.size != "" {
		w, h, ok := strings.Cut(f.size, "x")
		width, errW := strconv.ParseUint(w, 10, 16)
		height, errH := strconv.ParseUint(h, 10, 16)
		if !ok || errW != nil || errH != nil {
			return failed(fmt.Errorf("--size %q: want WIDTHxHEIGHT", f.size))
		}
		opts.TerminalSizeQueue = &oneSize{size: &remotecommand.TerminalSize{Width: uint16(width), Height: uint16(height)}, done: ctx.Done()}
	}
	count := &counter{}
	if f.bytes >= 0 {
		opts.Stdout = count
	}
	started := time.Now()
	err = executor.StreamWithContext(ctx, opts)
	seconds := time.Since(started).Seconds()
	var exitErr clientexec.CodeExitError
	if errors.As(err, &exitErr) {
		return exitErr.Code
	}
	if err != nil {
		return failed(err)
	}
	if f.bytes >= 0 {
		if count.n != f.bytes {
			return failed(fmt.Errorf("received %d bytes of stdout, want %d", count.n, f.bytes))
		}
		return printJSON(map[string]any{"bytes": count.n, "seconds": seconds})
	}
	return 0
}

func printJSON(v map[string]any) int {
	if err := json.NewEncoder(os.Stdout).Encode(v); err != nil {
		return failed(err)
	}
	return 0
}

func streamPortForward(ctx context.Context, cfg *rest.Config, f *streamClientFlags) int {
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return failed(err)
	}
	location := client.CoreV1().RESTClient().Post().Resource("pods").Namespace(f.namespace).Name(f.pod).SubResource("portforward").URL()
	var dialer httpstream.Dialer
	if f.spdy {
		transport, upgrader, err := spdy.RoundTripperFor(cfg)
		if err != nil {
			return failed(err)
		}
		dialer = spdy.NewDialer(upgrader, &http.Client{Transport: transport}, http.MethodPost, location)
	} else if dialer, err = portforward.NewSPDYOverWebsocketDialer(location, cfg); err != nil {
		return failed(err)
	}
	var specs []string
	for _, p := range strings.Split(f.ports, ",") {
		if p = strings.TrimSpace(p); p != "" {
			specs = append(specs, "0:"+p)
		}
	}
	if len(specs) == 0 {
		return failed(errors.New("--ports: at least one port"))
	}
	stop, ready := make(chan struct{}), make(chan struct{})
	pf, err := portforward.NewOnAddresses(dialer, []string{"127.0.0.1"}, specs, stop, ready, io.Discard, os.Stderr)
	if err != nil {
		return failed(err)
	}
	forwardErr := make(chan error, 1)
	go func() { forwardErr <- pf.ForwardPorts() }()
	select {
	case <-ready:
	case err := <-forwardErr:
		return failed(fmt.Errorf("port-forward ended before ready: %v", err))
	case <-ctx.Done():
		return failed(ctx.Err())
	}
	defer close(stop)
	ports, err := pf.GetPorts()
	if err != nil {
		return failed(err)
	}
	if f.bytes < 0 {
		pairs := make([]string, len(ports))
		for i, p := range ports {
			pairs[i] = fmt.Sprintf("%d:%d", p.Local, p.Remote)
		}
		fmt.Printf("PORTS=%s\n", strings.Join(pairs, ","))
		_ = os.Stdout.Sync()
		stdinClosed := make(chan struct{})
		go func() { _, _ = io.Copy(io.Discard, os.Stdin); close(stdinClosed) }()
		select {
		case <-stdinClosed:
		case err := <-forwardErr:
			return failed(fmt.Errorf("port-forward ended: %v", err))
		case <-ctx.Done():
		}
		return 0
	}
	started := time.Now()
	addr := fmt.Sprintf("127.0.0.1:%d", ports[0].Local)
	errs := make(chan error, f.connections)
	var wg sync.WaitGroup
	for i := 0; i < f.connections; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); errs <- echoRoundTrip(ctx, addr, f.bytes, byte(i)) }()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return failed(err)
		}
	}
	return printJSON(map[string]any{"bytes": f.bytes * int64(f.connections), "seconds": time.Since(started).Seconds(),
		"connections": f.connections})
}

// echoRoundTrip sends n bytes through addr and checks that the same n bytes come back.
func echoRoundTrip(ctx context.Context, addr string, n int64, seed byte) error {
	d := net.Dialer{Timeout: 10 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	if deadline, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(deadline)
	}
	chunk := make([]byte, 64*1024)
	for i := range chunk {
		chunk[i] = seed + byte(i*7)
	}
	sendErr := make(chan error, 1)
	go func() {
		left := n
		for left > 0 {
			m := min(left, int64(len(chunk)))
			if _, err := conn.Write(chunk[:m]); err != nil {
				sendErr <- err
				return
			}
			left -= m
		}
		sendErr <- conn.(*net.TCPConn).CloseWrite()
	}()
	buf := make([]byte, len(chunk))
	var got int64
	for got < n {
		m, err := conn.Read(buf[:min(int64(len(buf)), n-got)])
		if m > 0 {
			off := int(got % int64(len(chunk)))
			// the stream is chunk repeated: compare what arrived with where it sits in it
			for j := 0; j < m; j++ {
				if buf[j] != chunk[(off+j)%len(chunk)] {
					return fmt.Errorf("byte %d differs", got+int64(j))
				}
			}
			got += int64(m)
		}
		if err != nil {
			return fmt.Errorf("after %d of %d bytes: %w", got, n, err)
		}
	}
	if err := <-sendErr; err != nil {
		return err
	}
	return nil
}
