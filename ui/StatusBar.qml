// The window's status area: on the left the latest outcome (errors in the error colour), else
// what is shown (the trace's or the watch's target, a tile problem, a hint); on the right the
// summary of the mode shown. Trace mode: where the trace starts (the speed-of-light check's
// reference) and the trace's progress. Watch mode: only the watch's rounds, their time span and
// state; nothing of the trace shown before it (that summary comes back with trace mode).
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Tracemap.App

ToolBar {
    id: root
    required property TraceController controller
    required property WatchController watch
    property bool watchMode: false
    // The latest outcome; empty: describe what is shown.
    property string message: ""
    property bool messageIsError: false
    property string tileProblem: ""
    property color errorColor: "red"
    // Where the route the hop table lists starts, when that is not this machine's trace (a
    // vantage point's route); empty: this machine's.
    property string routeStartText: ""

    readonly property string stateText: watch.state === WatchController.Paused ? qsTr("Paused")
                                      : watch.state === WatchController.Running ? qsTr("Watching")
                                      : watch.state === WatchController.Finished ? qsTr("Stopped") : ""

    padding: 4
    RowLayout {
        anchors.fill: parent
        spacing: 12
        Label {
            objectName: "statusLabel"
            readonly property bool isError: root.message.length > 0 && root.messageIsError
            // A cut-off line is shown in full on hover.
            HoverHandler { id: statusHover }
            ToolTip.visible: statusHover.hovered && truncated
            ToolTip.text: text
            Layout.fillWidth: true
            Layout.leftMargin: 6
            elide: Text.ElideRight
            color: isError ? root.errorColor : palette.windowText
            text: root.message.length > 0 ? root.message
                : root.tileProblem.length > 0 ? root.tileProblem
                : root.watchMode && root.watch.state !== WatchController.Idle
                  ? qsTr("%1 → %2").arg(root.watch.target).arg(root.watch.destination || "…")
                : root.controller.transport.length > 0 ? qsTr("%1 → %2 via %3").arg(root.controller.host).arg(root.controller.destination).arg(root.controller.transport.replace(" (Paris)", ""))
                : qsTr("Type a host and press Enter to trace.")
        }
        Label {
            // Where the trace starts and how that was decided: the RTT check's reference.
            objectName: "sourceLabel"
            visible: !root.watchMode
            text: root.routeStartText.length > 0 ? root.routeStartText : root.controller.sourceText
            opacity: 0.8
            elide: Text.ElideRight
            // Room for "Start: estimated from hop 12, Frankfurt am Main (12.3 ms)" in a default
            // window; in a narrow one it yields, and hovering shows the whole line.
            Layout.maximumWidth: Math.max(200, Math.min(400, root.width * 0.3))
            HoverHandler { id: sourceHover }
            ToolTip.visible: sourceHover.hovered && truncated
            ToolTip.text: text
        }
        ProgressLine {
            visible: !root.watchMode
            controller: root.controller
            Layout.preferredWidth: 330
            Layout.rightMargin: 6
        }
        Label {
            objectName: "watchSummary"
            visible: root.watchMode
            horizontalAlignment: Text.AlignRight
            elide: Text.ElideRight
            text: root.watch.state === WatchController.Idle ? qsTr("Ready")
                : (root.watch.rounds === 1 ? qsTr("1 round") : qsTr("%1 rounds").arg(root.watch.rounds)) + "  ·  "
                  + qsTr("%1 s").arg((Math.max(0, root.watch.latestRoundMs - root.watch.firstRoundMs) / 1000).toFixed(1))
                  + "  ·  " + root.stateText
            Layout.preferredWidth: 330
            Layout.rightMargin: 6
        }
    }
}
