using System.Net;
using System.Net.Sockets;
using PaletteServerless.Local.Node;

namespace PaletteServerless.Testing;

/// <summary>
/// Loopback endpoints for tests that stand in for a remote server. <see cref="HttpListener"/> cannot bind port 0,
/// and a port probed free can be taken by another test process before the bind: then another port.
/// </summary>
public static class LoopbackHttpListener
{
    /// <summary>A started listener on a free 127.0.0.1 port, serving <paramref name="path"/> (which ends in '/').</summary>
    public static HttpListener Start(string path = "/")
    {
        for (var attempt = 1; ; attempt++)
        {
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{DynaliteProcess.FreeLoopbackPort()}{path}");
            try
            {
                listener.Start();
                return listener;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                // Left unclosed: closing a listener releases its prefixes, which binds the taken port once more.
            }
        }
    }

    /// <summary>The URL the listener serves (its one prefix).</summary>
    public static Uri Url(this HttpListener listener) => new(listener.Prefixes.Single());

    /// <summary>
    /// A loopback port that refuses connections for as long as the socket is held: bound, never listening, so no
    /// other process can take the port and answer in the meantime.
    /// </summary>
    public static Socket RefusingPort(out int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        port = ((IPEndPoint)socket.LocalEndPoint!).Port;
        return socket;
    }
}
