// The History panel (View → History, Ctrl+H): the traces kept in the history, newest first,
// optionally only one target's; the selected one can be opened (as saved, nothing probed),
// traced again, compared with the trace shown, or deleted. Above the list, while a comparison
// is shown, its changes one per line (the map rings the changed hops on both routes).
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

    objectName: "historyPane"
    padding: 6

    onVisibleChanged: if (visible) history.refresh()

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
                text: root.history.count < root.history.storedCount
                      ? qsTr("%1 of %2 traces").arg(root.history.count).arg(root.history.storedCount)
                      : qsTr("%1 traces").arg(root.history.count)
            }
            Item { Layout.fillWidth: true }
            TextField {
                id: filterField
                objectName: "historyFilter"
                placeholderText: qsTr("Target (all when empty)")
                Layout.preferredWidth: 220
                onAccepted: root.history.filter = text.trim()
            }
            CheckBox {
                objectName: "keepHistory"
                text: qsTr("Keep finished traces")
                checked: root.settings.keepHistory
                onToggled: root.settings.keepHistory = checked
            }
        }

        // The comparison shown on the map, if any.
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
                        elide: Text.ElideRight
                        Layout.fillWidth: true
                    }
                    Button { text: qsTr("Clear comparison"); onClicked: root.documents.clearComparison() }
                }
                Repeater {
                    model: root.documents.comparison
                    Label {
                        required property string modelData
                        text: "• " + modelData
                        elide: Text.ElideRight
                        Layout.fillWidth: true
                    }
                }
            }
        }

        ListView {
            id: list
            objectName: "historyList"
            Layout.fillWidth: true
            Layout.fillHeight: true
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
                width: ListView.view.width
                highlighted: ListView.isCurrentItem
                text: qsTr("%1   %2 (%3)   %4 hops%5").arg(started).arg(target).arg(destination).arg(hops)
                      .arg(reached ? "" : qsTr(", not reached"))
                onClicked: list.currentIndex = index
                onDoubleClicked: root.history.reopen(index)
            }
        }

        RowLayout {
            Layout.fillWidth: true
            readonly property bool chosen: list.currentIndex >= 0
            Button { objectName: "historyOpen"; text: qsTr("Open"); enabled: parent.chosen; onClicked: root.history.reopen(list.currentIndex) }
            Button { text: qsTr("Trace again"); enabled: parent.chosen; onClicked: root.history.traceAgain(list.currentIndex) }
            Button { objectName: "historyCompare"; text: qsTr("Compare with shown"); enabled: parent.chosen; onClicked: root.history.compareWithShown(list.currentIndex) }
            Item { Layout.fillWidth: true }
            Button { text: qsTr("Delete"); enabled: parent.chosen; onClicked: root.history.remove(list.currentIndex) }
        }
    }
}
