// The History panel (View → History, Ctrl+H), a side pane beside the map: the traces kept in the
// history, newest first, optionally only one target's. A click chooses one trace; Ctrl- or
// Shift-click, or its check box, adds a second. One chosen: open it (as saved, nothing probed),
// trace it again, compare it with the trace shown, or delete it. Two chosen: Compare shows the
// newer one compared with the older in one step. While a comparison is shown, its changes are
// listed above the traces (the map rings the changed hops on both routes). The buttons sit in a
// fixed footer: the list gives up height first, so they are never cut off.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Tracemap.App

Pane {
    id: root
    required property HistoryModel history
    required property DocumentController documents
    required property AppSettings settings
    property alias currentIndex: list.currentIndex
    // The chosen rows, in the order chosen (at most two); the last one is currentIndex.
    property var chosen: []

    // A click chooses `row` alone; with `add` (Ctrl, Shift, the check box) it toggles `row`
    // beside the one chosen before (a third drops the earliest).
    function choose(row, add) {
        let rows = add ? chosen.filter(r => r !== row) : []
        if (!add || rows.length === chosen.length)
            rows.push(row)
        if (rows.length > 2)
            rows = rows.slice(rows.length - 2)
        chosen = rows
        list.currentIndex = rows.length > 0 ? rows[rows.length - 1] : -1
    }
    function compareChosen() {
        if (chosen.length === 2)
            history.compare(chosen[0], chosen[1])
        else if (chosen.length === 1)
            history.compareWithShown(chosen[0])
    }

    objectName: "historyPane"
    padding: 6

    onVisibleChanged: if (visible) history.refresh()
    // Rows move when the list is read again: nothing stays chosen.
    Connections {
        target: root.history
        function onModelReset() { root.chosen = []; list.currentIndex = -1 }
        function onRowsRemoved() { root.chosen = []; list.currentIndex = -1 }
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 6

        RowLayout {
            Layout.fillWidth: true
            spacing: 8
            Label { text: qsTr("History"); font.bold: true }
            Label {
                objectName: "historyCount"
                opacity: 0.7
                elide: Text.ElideRight
                Layout.fillWidth: true
                text: root.history.count < root.history.storedCount
                      ? qsTr("%1 of %2 traces").arg(root.history.count).arg(root.history.storedCount)
                      : root.history.count === 1 ? qsTr("1 trace") : qsTr("%1 traces").arg(root.history.count)
            }
        }
        TextField {
            id: filterField
            objectName: "historyFilter"
            placeholderText: qsTr("Target (all when empty)")
            Layout.fillWidth: true
            onAccepted: root.history.filter = text.trim()
        }

        // The comparison shown on the map, if any: its changes scroll within a bounded height.
        Frame {
            objectName: "comparisonView"
            visible: root.documents.comparison.length > 0
            Layout.fillWidth: true
            ColumnLayout {
                anchors.fill: parent
                RowLayout {
                    Layout.fillWidth: true
                    Label {
                        text: root.documents.comparisonTitle
                        font.bold: true
                        wrapMode: Text.Wrap
                        Layout.fillWidth: true
                    }
                    Button { text: qsTr("Clear"); onClicked: root.documents.clearComparison() }
                }
                ListView {
                    objectName: "comparisonList"
                    Layout.fillWidth: true
                    Layout.preferredHeight: Math.min(contentHeight, root.height * 0.3)
                    clip: true
                    interactive: contentHeight > height
                    model: root.documents.comparison
                    ScrollBar.vertical: ScrollBar {}
                    delegate: Label {
                        required property string modelData
                        width: ListView.view.width
                        text: "• " + modelData
                        wrapMode: Text.Wrap
                    }
                }
            }
        }

        ListView {
            id: list
            objectName: "historyList"
            Layout.fillWidth: true
            Layout.fillHeight: true
            Layout.minimumHeight: 60
            clip: true
            model: root.history
            currentIndex: -1
            ScrollBar.vertical: ScrollBar {}
            delegate: ItemDelegate {
                id: entry
                required property int index
                required property string started
                required property string target
                required property string destination
                required property int hops
                required property bool reached
                readonly property bool isChosen: root.chosen.indexOf(index) >= 0
                width: ListView.view.width
                highlighted: isChosen
                leftPadding: 4
                // A click chooses the trace, Ctrl/Shift-click adds it (the check box says the same).
                TapHandler {
                    acceptedModifiers: Qt.NoModifier
                    onTapped: root.choose(entry.index, false)
                    onDoubleTapped: root.history.reopen(entry.index)
                }
                TapHandler {
                    acceptedModifiers: Qt.ControlModifier
                    onTapped: root.choose(entry.index, true)
                }
                TapHandler {
                    acceptedModifiers: Qt.ShiftModifier
                    onTapped: root.choose(entry.index, true)
                }
                contentItem: RowLayout {
                    spacing: 4
                    CheckBox {
                        objectName: "historyCheck"
                        checked: entry.isChosen
                        onClicked: root.choose(entry.index, true)
                    }
                    ColumnLayout {
                        spacing: 0
                        Layout.fillWidth: true
                        Label {
                            text: entry.target === entry.destination || entry.destination.length === 0
                                  ? entry.target : qsTr("%1 (%2)").arg(entry.target).arg(entry.destination)
                            elide: Text.ElideRight
                            Layout.fillWidth: true
                        }
                        Label {
                            text: (entry.hops === 1 ? qsTr("%1  ·  %2 hop%3") : qsTr("%1  ·  %2 hops%3")).arg(entry.started).arg(entry.hops)
                                  .arg(entry.reached ? "" : qsTr(", not reached"))
                            opacity: 0.7
                            font.pointSize: Qt.application.font.pointSize * 0.9
                            elide: Text.ElideRight
                            Layout.fillWidth: true
                        }
                    }
                }
            }
        }

        Label {
            objectName: "historyHint"
            visible: root.history.count > 1 && root.chosen.length < 2
            text: qsTr("Tick two traces (or Ctrl+click) to compare them.")
            opacity: 0.7
            wrapMode: Text.Wrap
            Layout.fillWidth: true
        }
        // The footer: fixed rows that the list above gives way to.
        RowLayout {
            objectName: "historyButtons"
            Layout.fillWidth: true
            readonly property bool one: root.chosen.length === 1
            Button { objectName: "historyOpen"; text: qsTr("Open"); enabled: parent.one; onClicked: root.history.reopen(list.currentIndex) }
            Button { objectName: "historyTraceAgain"; text: qsTr("Trace again"); enabled: parent.one; onClicked: root.history.traceAgain(list.currentIndex) }
            Item { Layout.fillWidth: true }
            Button { objectName: "historyDelete"; text: qsTr("Delete"); enabled: parent.one; onClicked: root.history.remove(list.currentIndex) }
        }
        Button {
            objectName: "historyCompare"
            Layout.fillWidth: true
            enabled: root.chosen.length > 0
            text: root.chosen.length === 2 ? qsTr("Compare the two (older → newer)") : qsTr("Compare with shown")
            onClicked: root.compareChosen()
        }
        CheckBox {
            objectName: "keepHistory"
            text: qsTr("Keep finished traces")
            checked: root.settings.keepHistory
            onToggled: root.settings.keepHistory = checked
        }
    }
}
