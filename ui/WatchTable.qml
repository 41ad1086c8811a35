// The watch mode's hop table: WatchHopModel's mtr columns (Loss%, Sent, ... Jint) with place, AS
// and host like the trace table, and a sparkline of recent RTTs per hop. Loss that carries on to
// the destination is drawn in the error colour; loss at a hop whose later hops lost nothing
// (ICMP rate limiting) in grey italics with an explaining tooltip. The Columns button chooses
// the columns shown (kept in the settings). A click selects a hop for the map and the chart;
// Ctrl+click adds hops to the chart.
import QtQuick
import QtQuick.Controls
import Tracemap.App

Pane {
    id: root

    required property WatchController watch
    required property AppSettings settings
    property color errorColor: "#c62828"
    // The selected hop as a model row (-1: none), as the map uses it.
    property int currentIndex: -1
    // The hops the chart draws (TTLs); empty: the destination.
    property var chartTtls: []
    // Colours of the chart's series, by TTL (set by the window from the chart).
    property var seriesColor: function(ttl) { return "transparent" }
    readonly property int count: table.rows
    readonly property var model: watch.model

    padding: 0

    // Numbers keep their width (they are what the table is for, as in mtr); host, place and AS
    // share what is left by weight, down to a floor, past which the table scrolls sideways. An
    // elided name shows whole in its tooltip. The Columns button's width is left free so that it
    // covers no column's title.
    // At the default window size (1280 px wide, the watch column beside the map) mtr's default
    // columns plus place and AS fit without scrolling.
    readonly property var widthOf: ({ ttl: 44, loss: 58, sent: 46, recv: 46, last: 52, avg: 52, best: 52,
                                       wrst: 52, stdev: 58, gmean: 58, jttr: 50, javg: 50, jmax: 50,
                                       jint: 50, graph: 96 })
    readonly property var flexWeight: ({ host: 3, place: 2, as: 2 })
    readonly property var flexFloor: ({ host: 100, place: 60, as: 54 })
    function columnWidth(key) {
        if (!(key in flexWeight))
            return widthOf[key] || 56
        let fixed = 0, weights = 0
        for (const k of root.model.visibleColumns) {
            if (k in flexWeight) weights += flexWeight[k]
            else fixed += widthOf[k] || 56
        }
        const spare = table.width - columnsButton.width - fixed
        return Math.max(flexFloor[key], Math.floor(spare * flexWeight[key] / weights))
    }

    function rttColor(ms) {
        if (ms < 0) return "#9e9e9e"
        if (ms < 20) return "#2e9d4f"
        if (ms < 80) return "#c9a400"
        if (ms < 200) return "#e07b00"
        return "#c62828"
    }
    function select(row, add) {
        const ttl = root.model.get(row).ttl
        if (add) {
            const ttls = root.chartTtls.slice()
            const at = ttls.indexOf(ttl)
            if (at >= 0) ttls.splice(at, 1); else ttls.push(ttl)
            root.chartTtls = ttls
        } else {
            root.chartTtls = [ttl]
        }
        root.currentIndex = row
        table.forceActiveFocus()
    }

    Connections {
        target: root.watch
        function onStateChanged() {
            if (root.watch.state === WatchController.Idle) { root.chartTtls = []; root.currentIndex = -1 }
        }
    }

    // Anchors only: a Layout here loops while the pane is hidden in the SplitView.
    Item {
        id: headerBar
        anchors { left: parent.left; right: parent.right; top: parent.top; leftMargin: 6; rightMargin: 6 }
        height: 30
        HorizontalHeaderView {
            id: header
            objectName: "watchHeader"
            syncView: table
            clip: true
            anchors { left: parent.left; right: columnsButton.left; top: parent.top; bottom: parent.bottom }
            delegate: Rectangle {
                id: headerCell
                required property string display
                implicitHeight: 28
                implicitWidth: 40
                color: Qt.darker(root.palette.window, 1.06)
                Label {
                    anchors { fill: parent; leftMargin: 6; rightMargin: 6 }
                    verticalAlignment: Text.AlignVCenter
                    elide: Text.ElideRight
                    font.bold: true
                    text: headerCell.display
                }
                Rectangle {
                    anchors { right: parent.right; top: parent.top; bottom: parent.bottom }
                    width: 1
                    color: root.palette.mid
                }
            }
        }
        ToolButton {
            id: columnsButton
            objectName: "watchColumnsButton"
            anchors { right: parent.right; verticalCenter: parent.verticalCenter }
            text: qsTr("Columns ▾")
            onClicked: columnMenu.popup()
            ToolTip.visible: hovered
            ToolTip.text: qsTr("Choose the columns shown")
            Menu {
                id: columnMenu
                objectName: "watchColumnsMenu"
                Instantiator {
                    model: root.model.columns
                    delegate: MenuItem {
                        required property var modelData
                        text: modelData.title
                        checkable: true
                        checked: modelData.shown
                        onTriggered: root.settings.watchColumns = root.model.toggledColumns(modelData.key)
                    }
                    onObjectAdded: (index, object) => columnMenu.insertItem(index, object)
                    onObjectRemoved: (index, object) => columnMenu.removeItem(object)
                }
            }
        }
    }

    Item {
        anchors { left: parent.left; right: parent.right; top: headerBar.bottom; bottom: parent.bottom }
        Label {
            anchors.centerIn: parent
            visible: table.rows === 0
            text: root.watch.active ? qsTr("Waiting for the first round…") : qsTr("No watch yet: Ctrl+W watches the host")
            opacity: 0.5
        }
        TableView {
            id: table
            objectName: "watchList"
            anchors.fill: parent
            anchors.leftMargin: 6
            clip: true
            focus: true
            model: root.model
            boundsBehavior: Flickable.StopAtBounds
            columnWidthProvider: (column) => root.columnWidth(root.model.visibleColumns[column])
            onWidthChanged: forceLayout()
            ScrollBar.vertical: ScrollBar {}
            ScrollBar.horizontal: ScrollBar {}
            Keys.onUpPressed: if (root.currentIndex > 0) root.select(root.currentIndex - 1, false)
            Keys.onDownPressed: if (root.currentIndex < table.rows - 1) root.select(root.currentIndex + 1, false)
            // A shorter path: hops past its end leave the selection and the chart (rows are TTL 1..n).
            onRowsChanged: {
                if (root.currentIndex >= table.rows)
                    root.currentIndex = -1
                if (root.chartTtls.some(ttl => ttl > table.rows))
                    root.chartTtls = root.chartTtls.filter(ttl => ttl <= table.rows)
            }

            delegate: Rectangle {
                id: cell
                required property int row
                required property string display
                required property string toolTip
                required property string columnKey
                required property bool numeric
                required property bool rateLimited
                required property bool hasLocation
                required property bool highlighted
                required property double lossPct
                required property double avgRttMs
                required property int ttl
                required property var sparkline
                readonly property bool selected: row === root.currentIndex
                implicitHeight: 26
                color: selected ? root.palette.highlight
                     : highlighted ? "#fff3c4"
                     : (row % 2 ? Qt.darker(root.palette.base, 1.03) : root.palette.base)

                Rectangle {
                    visible: cell.columnKey === "ttl"
                    x: 5
                    anchors.verticalCenter: parent.verticalCenter
                    width: 9; height: 9; radius: 4.5
                    color: cell.hasLocation ? root.rttColor(cell.avgRttMs) : "transparent"
                    border.width: cell.hasLocation ? 1 : 2
                    border.color: cell.hasLocation ? Qt.darker(color, 1.3) : root.rttColor(cell.avgRttMs)
                }
                // The chart's colour for this hop, when it is drawn there.
                Rectangle {
                    visible: cell.columnKey === "ttl" && root.chartTtls.indexOf(cell.ttl) >= 0
                    anchors { right: parent.right; top: parent.top; bottom: parent.bottom; margins: 4 }
                    width: 4
                    color: root.seriesColor(cell.ttl)
                }
                Text {
                    id: cellText
                    visible: cell.columnKey !== "graph"
                    anchors { fill: parent; leftMargin: cell.columnKey === "ttl" ? 18 : 6; rightMargin: 8 }
                    verticalAlignment: Text.AlignVCenter
                    horizontalAlignment: cell.numeric ? Text.AlignRight : Text.AlignLeft
                    elide: Text.ElideRight
                    text: cell.display
                    font.family: cell.numeric || cell.columnKey === "host" ? "monospace" : Qt.application.font.family
                    font.pixelSize: 12
                    font.italic: cell.columnKey === "loss" && cell.rateLimited && cell.lossPct > 0
                    font.bold: cell.columnKey === "loss" && !cell.rateLimited && cell.lossPct > 0
                    color: cell.selected ? root.palette.highlightedText
                         : cell.columnKey === "loss" && cell.lossPct > 0 ? (cell.rateLimited ? "#8a8a8a" : root.errorColor)
                         : root.palette.text
                }
                Loader {
                    active: cell.columnKey === "graph"
                    anchors { fill: parent; margins: 4 }
                    sourceComponent: WatchSparkline {
                        values: cell.sparkline
                        color: cell.selected ? root.palette.highlightedText : "#56687a"
                    }
                }
                HoverHandler { id: hover }
                ToolTip.visible: hover.hovered && (cellText.truncated || cell.toolTip !== cell.display)
                ToolTip.delay: 400
                ToolTip.text: cell.toolTip
                TapHandler {
                    id: tap
                    onTapped: root.select(cell.row, (tap.point.modifiers & Qt.ControlModifier) !== 0)
                }
            }
        }
    }
}
