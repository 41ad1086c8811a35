// Progress of the running (or last) trace, in the status area: what phase it is in (resolving,
// tracing, reached, not reached, stopped, failed), hops answered, elapsed time, lookups left.
import QtQuick
import QtQuick.Controls
import Tracemap.App

Label {
    id: root
    required property TraceController controller

    objectName: "progressLabel"
    elide: Text.ElideRight
    horizontalAlignment: Text.AlignRight
    opacity: controller.phase === TraceController.Idle ? 0.6 : 1
    text: {
        const c = root.controller
        const hops = c.hopsAnswered === 1 ? qsTr("1 hop answered") : qsTr("%1 hops answered").arg(c.hopsAnswered)
        const seconds = qsTr("%1 s").arg((c.elapsedMs / 1000).toFixed(1))
        const locating = c.pendingLookups > 0 ? "  ·  " + qsTr("locating %1").arg(c.pendingLookups) : ""
        switch (c.phase) {
        case TraceController.Resolving:
            return qsTr("Resolving %1…").arg(c.host)
        case TraceController.Tracing:
            return hops + "  ·  " + seconds + locating
        case TraceController.Reached:
            return hops + "  ·  " + seconds + locating + "  ·  " + qsTr("Destination reached")
        case TraceController.NotReached:
            return hops + "  ·  " + seconds + locating + "  ·  " + qsTr("Not reached")
        case TraceController.Stopped:
            return hops + "  ·  " + seconds + "  ·  " + qsTr("Stopped")
        case TraceController.Failed:
            return qsTr("Trace failed")
        }
        return qsTr("Ready")
    }
}
