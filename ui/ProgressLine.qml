// Progress of the running (or last) trace: hops answered, elapsed time, destination.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Tracemap.App

RowLayout {
    id: root
    required property TraceController controller
    spacing: 8

    BusyIndicator {
        running: root.controller.running
        visible: running
        Layout.preferredWidth: 24
        Layout.preferredHeight: 24
    }
    Label {
        objectName: "progressLabel"
        Layout.fillWidth: true
        elide: Text.ElideRight
        opacity: root.controller.hopsAnswered > 0 || root.controller.running ? 1 : 0.6
        text: {
            const c = root.controller
            const seconds = (c.elapsedMs / 1000).toFixed(1)
            if (!c.running && c.tracesCompleted === 0 && c.hopsAnswered === 0)
                return qsTr("Ready")
            let s = qsTr("%n hop(s) answered", "", c.hopsAnswered) + "  ·  " + qsTr("%1 s").arg(seconds)
            if (c.pendingLookups > 0)
                s += "  ·  " + qsTr("locating %1").arg(c.pendingLookups)
            if (!c.running && c.tracesCompleted > 0)
                s += "  ·  " + (c.reached ? qsTr("destination reached") : qsTr("not reached"))
            return s
        }
    }
}
